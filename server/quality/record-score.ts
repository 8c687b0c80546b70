import type { Actor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { AppError } from "../errors";
import { ZRecordScoreRequest, type RecordScoreRequest, type ScoreView } from "../schemas/quality";
import { resolveScoreTarget } from "./score-target";
import { toScoreView } from "./score-view";

/**
 * Records an evaluator's score (POST /api/v1/scores) on a task or an action, for the agent whose
 * work it is. Evaluators may score the same item many times (re-runs, several criteria), so
 * nothing is replaced. An agent may not score its own work: a grade it gives itself is no
 * independent measure of its quality.
 */
export async function recordEvaluatorScore(db: DbOrTx, actor: Actor, request: RecordScoreRequest, origin?: RequestOrigin): Promise<ScoreView> {
  const input = ZRecordScoreRequest.parse(request);
  return inTransaction(db, async (tx) => {
    const target = await resolveScoreTarget(tx, input);
    if (actor.type === "agent" && target.agentId === actor.id) {
      throw new AppError("FORBIDDEN", `${input.actionId ? "actionId" : "taskId"}: an agent cannot score its own work`);
    }
    const score = await tx.score.create({
      data: {
        taskId: target.taskId,
        actionId: target.actionId,
        agentId: target.agentId,
        name: input.name,
        value: input.value,
        comment: input.comment ?? null,
        source: "evaluator",
        authorId: actor.id,
        authorLabel: actor.label,
      },
    });
    await appendAudit(tx, {
      actor,
      verb: "score.record",
      subject: { type: "score", id: score.id },
      data: { taskId: target.taskId, actionId: target.actionId, agentId: target.agentId, name: input.name, value: input.value },
      origin,
    });
    return toScoreView(score);
  });
}
