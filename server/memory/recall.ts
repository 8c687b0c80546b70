import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import type { MemoryView } from "../schemas/memory";
import { subjectKey } from "./subject-key";

export type RecallRequest = {
  q: string;
  /** The agent asking: it sees shared memories and its own private ones. Null: a person, who sees all. */
  agentId: string | null;
  kind?: "decision" | "negative_knowledge" | "pattern";
  agent?: string;
  tag?: string;
  sinceDays?: number;
  limit?: number;
};

type Row = {
  id: string;
  kind: MemoryView["kind"];
  subject: string;
  body: string;
  tags: string[];
  author_label: string;
  action_id: string | null;
  task_id: string | null;
  occurrences: number;
  created_at: Date;
  score: number;
};

/**
 * Recall: candidates are entries whose text matches any of the query's words (full text, GIN)
 * or whose subject holds words like the query's, typos included (pg_trgm strict word
 * similarity, GIN); the score weighs subject likeness 0.6 and text relevance 0.4. Retired entries
 * are never recalled; private ones only by their author.
 */
export async function recallMemories(db: DbOrTx, request: RecallRequest): Promise<MemoryView[]> {
  const key = subjectKey(request.q);
  if (!key) return [];
  const tsquery = key.split(" ").join(" | ");
  const filters = [
    request.agentId ? Prisma.sql`(m.scope = 'shared' OR m.author_agent_id = ${request.agentId}::uuid)` : Prisma.sql`TRUE`,
    request.kind ? Prisma.sql`m.kind = ${request.kind}::"MemoryKind"` : Prisma.sql`TRUE`,
    request.agent ? Prisma.sql`m.author_label = ${request.agent}` : Prisma.sql`TRUE`,
    request.tag ? Prisma.sql`${request.tag} = ANY(m.tags)` : Prisma.sql`TRUE`,
    request.sinceDays ? Prisma.sql`m.last_learned_at >= now() - make_interval(days => ${request.sinceDays})` : Prisma.sql`TRUE`,
  ];
  const rows = await db.$queryRaw<Row[]>`
    WITH q AS (SELECT to_tsquery('english', ${tsquery}) AS tsq, ${key}::text AS key)
    SELECT m.id, m.kind::text AS kind, m.subject, m.body, m.tags, m.author_label, m.action_id, m.task_id, m.occurrences, m.created_at,
           (0.6 * strict_word_similarity(q.key, m.subject_key) + 0.4 * ts_rank(m.search, q.tsq, 32))::float8 AS score
      FROM memories m, q
     WHERE m.retired_at IS NULL
       AND (m.search @@ q.tsq OR q.key <<% m.subject_key)
       AND ${Prisma.join(filters, " AND ")}
     ORDER BY score DESC, m.occurrences DESC, m.created_at DESC
     LIMIT ${request.limit ?? 10}`;
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    subject: r.subject,
    body: r.body,
    tags: r.tags,
    score: Math.round(r.score * 1000) / 1000,
    agent: r.author_label,
    actionId: r.action_id,
    taskId: r.task_id,
    occurrences: r.occurrences,
    createdAt: r.created_at.toISOString(),
  }));
}

/** The INSERT/UPDATE that book a recall (times recalled, last recalled, the recall log). */
export function recallBookkeepingSql(results: { id: string; score: number }[], agentId: string, actionId: string | null): Prisma.Sql[] {
  if (results.length === 0) return [];
  const ids = results.map((r) => r.id);
  return [
    Prisma.sql`UPDATE memories SET times_recalled = times_recalled + 1, last_recalled_at = now() WHERE id = ANY(${ids}::uuid[])`,
    Prisma.sql`INSERT INTO memory_recalls (memory_id, agent_id, action_id, score)
               SELECT id, ${agentId}::uuid, ${actionId}::uuid, score FROM unnest(${ids}::uuid[], ${results.map((r) => r.score)}::float8[]) AS r(id, score)`,
  ];
}
