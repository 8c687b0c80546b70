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

// How many of the likeliest subjects recall opens, how many entries it takes from each, and
// how many entries that hold every query word it adds from the full-text index. Together they
// bound the entries ranked per recall (a few hundred) however large the memory grows.
const SUBJECTS = 40;
const ENTRIES_PER_SUBJECT = 3;
const BODY_MATCHES = 200;
// A subject this alike (strict word similarity) is a strong match: when the strong subjects alone
// fill the answer, an entry filed under an unlike subject could not outrank them on text alone
// (its score caps near 0.6 x 0.3 + 0.4 x 0.5), so the body search is skipped.
const STRONG_SUBJECT = 0.5;

/**
 * Recall in two bounded steps, so its cost does not grow with the number of entries:
 * 1. subjects: the likeliest distinct subjects (memory_subjects: a million entries share a few
 *    thousand), found by trigram word similarity (typos included) or a shared word, then the
 *    strongest and newest live entries of each (memories_subject_best_idx);
 * 2. bodies, only when strong subjects do not fill the answer: up to BODY_MATCHES live entries
 *    whose text holds every query word (the GIN full-text index), for lessons filed under
 *    another subject.
 * The candidates are ranked by subject likeness (0.6) and text relevance (0.4). Retired entries
 * are never recalled; private ones only by their author. The query words go in as parameters,
 * not through a CTE, so the planner can use the trigram and full-text indexes.
 */
export async function recallMemories(db: DbOrTx, request: RecallRequest): Promise<MemoryView[]> {
  const key = subjectKey(request.q);
  if (!key) return [];
  const words = key.split(" ");
  const anyWord = Prisma.sql`to_tsquery('english', ${words.join(" | ")})`;
  const limit = request.limit ?? 10;
  const filters = [
    request.agentId ? Prisma.sql`(m.scope = 'shared' OR m.author_agent_id = ${request.agentId}::uuid)` : Prisma.sql`TRUE`,
    request.kind ? Prisma.sql`m.kind = ${request.kind}::"MemoryKind"` : Prisma.sql`TRUE`,
    request.agent ? Prisma.sql`m.author_label = ${request.agent}` : Prisma.sql`TRUE`,
    request.tag ? Prisma.sql`${request.tag} = ANY(m.tags)` : Prisma.sql`TRUE`,
    request.sinceDays ? Prisma.sql`m.last_learned_at >= now() - make_interval(days => ${request.sinceDays})` : Prisma.sql`TRUE`,
  ];
  const where = Prisma.join(filters, " AND ");
  const rows = await db.$queryRaw<Row[]>`
    WITH subjects AS (
      SELECT s.key, strict_word_similarity(${key}, s.key) AS likeness FROM memory_subjects s
       WHERE ${key} <<% s.key OR to_tsvector('english', s.key) @@ ${anyWord}
       ORDER BY likeness DESC
       LIMIT ${SUBJECTS}
    ), by_subject AS (
      SELECT best.id, s.likeness FROM subjects s CROSS JOIN LATERAL (
        SELECT m.id FROM memories m
         WHERE m.subject_key = s.key AND m.retired_at IS NULL AND ${where}
         ORDER BY m.occurrences DESC, m.last_learned_at DESC
         LIMIT ${ENTRIES_PER_SUBJECT}) best
    ), by_body AS (
      SELECT m.id FROM memories m
       WHERE (SELECT count(*) FROM by_subject WHERE likeness >= ${STRONG_SUBJECT}) < ${limit}
         AND m.search @@ to_tsquery('english', ${words.join(" & ")}) AND m.retired_at IS NULL AND ${where}
       LIMIT ${BODY_MATCHES}
    ), candidates AS (
      SELECT id FROM by_subject UNION SELECT id FROM by_body
    )
    SELECT m.id, m.kind::text AS kind, m.subject, m.body, m.tags, m.author_label, m.action_id, m.task_id, m.occurrences, m.created_at,
           (0.6 * strict_word_similarity(${key}, m.subject_key) + 0.4 * ts_rank(m.search, ${anyWord}, 32))::float8 AS score
      FROM candidates c JOIN memories m USING (id)
     ORDER BY score DESC, m.occurrences DESC, m.created_at DESC
     LIMIT ${limit}`;
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

/**
 * The INSERT that books a recall: one row per memory handed over, in the append-only recall log.
 * It takes no lock on the entries, so a decision never waits on another's bookkeeping (updating
 * times_recalled here deadlocked 200 concurrent decisions that recalled the same lessons); the
 * counters on the entries are folded from this log later (fold-recalls.ts).
 */
export function recallBookkeepingSql(results: { id: string; score: number }[], agentId: string, actionId: string | null): Prisma.Sql[] {
  if (results.length === 0) return [];
  return [
    Prisma.sql`INSERT INTO memory_recalls (memory_id, agent_id, action_id, score)
               SELECT id, ${agentId}::uuid, ${actionId}::uuid, score
                 FROM unnest(${results.map((r) => r.id)}::uuid[], ${results.map((r) => r.score)}::float8[]) AS r(id, score)`,
  ];
}
