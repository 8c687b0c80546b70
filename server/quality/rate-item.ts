import { randomUUID } from "node:crypto";
import type { RequestOrigin, UserActor } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { Prisma, type Score } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { HUMAN_SCORE_NAME, ZRateRequest, type RateRequest, type ScoreView } from "../schemas/quality";
import { resolveScoreTarget } from "./score-target";
import { toScoreView } from "./score-view";

type ScoreRow = {
  id: string;
  task_id: string | null;
  action_id: string | null;
  agent_id: string | null;
  name: string;
  value: number;
  comment: string | null;
  source: "human";
  author_id: string;
  author_label: string;
  created_at: Date;
  replaced: boolean;
};

/**
 * A person's thumbs up (1) or down (0) on a task or an action. One rating per person per item:
 * rating again replaces the value, the comment and the time. The replacement is a single
 * INSERT … ON CONFLICT against the partial unique index on (item, author) of human scores, so
 * two ratings racing (a double click, two tabs) leave one row, the later one's.
 */
export async function rateItem(db: DbOrTx, user: UserActor, request: RateRequest, origin?: RequestOrigin): Promise<ScoreView & { replaced: boolean }> {
  const input = ZRateRequest.parse(request);
  const value = input.thumbs === "up" ? 1 : 0;
  return inTransaction(db, async (tx) => {
    const target = await resolveScoreTarget(tx, input);
    const conflict = target.taskId ? Prisma.sql`(task_id, author_id) WHERE source = 'human'` : Prisma.sql`(action_id, author_id) WHERE source = 'human'`;
    const [row] = await tx.$queryRaw<ScoreRow[]>`
      INSERT INTO scores (id, task_id, action_id, agent_id, name, value, comment, source, author_id, author_label)
      VALUES (${randomUUID()}::uuid, ${target.taskId}::uuid, ${target.actionId}::uuid, ${target.agentId}::uuid, ${HUMAN_SCORE_NAME},
              ${value}::float8, ${input.comment ?? null}, 'human', ${user.id}::uuid, ${user.label})
      ON CONFLICT ${conflict}
      DO UPDATE SET value = EXCLUDED.value, comment = EXCLUDED.comment, author_label = EXCLUDED.author_label,
                    agent_id = EXCLUDED.agent_id, created_at = now()
      RETURNING id::text, task_id::text, action_id::text, agent_id::text, name, value, comment, source::text, author_id::text,
                author_label, created_at, (xmax <> 0) AS replaced`;
    // xmax is set on a row version that an UPDATE wrote: the ON CONFLICT branch, a replacement.
    const score = toScore(row!);
    await appendAudit(tx, {
      actor: user,
      verb: "score.rate",
      subject: { type: "score", id: score.id },
      data: { taskId: target.taskId, actionId: target.actionId, agentId: target.agentId, thumbs: input.thumbs, replaced: row!.replaced },
      origin,
    });
    return { ...toScoreView(score), replaced: row!.replaced };
  });
}

function toScore(row: ScoreRow): Score {
  return {
    id: row.id,
    taskId: row.task_id,
    actionId: row.action_id,
    agentId: row.agent_id,
    name: row.name,
    value: row.value,
    comment: row.comment,
    source: row.source,
    authorId: row.author_id,
    authorLabel: row.author_label,
    createdAt: row.created_at,
  };
}
