import type { DbOrTx } from "../../server/db/client";
import { Prisma } from "../../server/db/generated/client";
import { actionSubject, entrySubjectKey, subjectKey } from "../../server/memory/subject-key";
import type { LessonRecord } from "./corpus";

/**
 * Recall as it was before issue 20 (server/memory/recall.ts and recall-for-decision.ts at
 * 5ca73af), kept here, in the benchmark only, so every run measures "today" beside the new
 * recall on the same labelled set.
 */

export type BaselineHit = { id: string; kind: string; score: number; createdAt: Date };

const SUBJECTS = 40;
const ENTRIES_PER_SUBJECT = 3;
const BODY_MATCHES = 200;
const STRONG_SUBJECT = 0.5;
const MATCHING_FAILURE_SCORE = 0.45;

export async function baselineRecall(db: DbOrTx, request: { q: string; kind?: string; limit?: number }): Promise<BaselineHit[]> {
  const key = subjectKey(request.q);
  if (!key) return [];
  const words = key.split(" ");
  const anyWord = Prisma.sql`to_tsquery('english', ${words.join(" | ")})`;
  const limit = request.limit ?? 10;
  const kind = request.kind ? Prisma.sql`m.kind = ${request.kind}::"MemoryKind"` : Prisma.sql`TRUE`;
  return db.$queryRaw<BaselineHit[]>`
    WITH subjects AS (
      SELECT s.key, strict_word_similarity(${key}, s.key) AS likeness FROM memory_subjects s
       WHERE ${key} <<% s.key OR to_tsvector('english', s.key) @@ ${anyWord}
       ORDER BY likeness DESC
       LIMIT ${SUBJECTS}
    ), by_subject AS (
      SELECT best.id, s.likeness FROM subjects s CROSS JOIN LATERAL (
        SELECT m.id FROM memories m
         WHERE m.subject_key = s.key AND m.retired_at IS NULL AND ${kind}
         ORDER BY m.occurrences DESC, m.last_learned_at DESC
         LIMIT ${ENTRIES_PER_SUBJECT}) best
    ), by_body AS (
      SELECT m.id FROM memories m
       WHERE (SELECT count(*) FROM by_subject WHERE likeness >= ${STRONG_SUBJECT}) < ${limit}
         AND m.search @@ to_tsquery('english', ${words.join(" & ")}) AND m.retired_at IS NULL AND ${kind}
       LIMIT ${BODY_MATCHES}
    ), candidates AS (
      SELECT id FROM by_subject UNION SELECT id FROM by_body
    )
    SELECT m.id, m.kind::text AS kind, m.created_at AS "createdAt",
           (0.6 * strict_word_similarity(${key}, m.subject_key) + 0.4 * ts_rank(m.search, ${anyWord}, 32))::float8 AS score
      FROM candidates c JOIN memories m USING (id)
     ORDER BY score DESC, m.occurrences DESC, m.created_at DESC
     LIMIT ${limit}`;
}

/** The decision's recall before issue 20: the best five for actionSubject, plus the closest three failures. */
export async function baselineRecallForDecision(db: DbOrTx, action: { action: string; tool: string | null; resource: string | null }) {
  const q = actionSubject(action);
  const [best, failures] = await Promise.all([baselineRecall(db, { q, limit: 5 }), baselineRecall(db, { q, kind: "negative_knowledge", limit: 3 })]);
  const seen = new Set(best.map((m) => m.id));
  const recalled = [...best, ...failures.filter((m) => !seen.has(m.id))].sort((a, b) => b.score - a.score);
  const escalatedBy = recalled.filter((m) => m.kind === "negative_knowledge" && m.score >= MATCHING_FAILURE_SCORE).map((m) => m.id);
  return { recalled, escalatedBy };
}

/**
 * Recording as it was: negative knowledge repeating a lesson (same subject key, body trigram
 * similarity at least 0.6) strengthened it; decisions and patterns were always added. Only what
 * recall reads is written (no audit rows): returns the entry's id.
 */
export async function baselineRecord(db: DbOrTx, record: LessonRecord): Promise<string> {
  const subject = record.about ? actionSubject(record.about) : record.subjectText;
  const key = entrySubjectKey(subject);
  if (record.kind === "negative_knowledge") {
    const [same] = await db.$queryRaw<{ id: string }[]>`
      SELECT id FROM memories WHERE kind = 'negative_knowledge' AND retired_at IS NULL AND subject_key = ${key}
         AND similarity(body, ${record.body}) >= 0.6 ORDER BY similarity(body, ${record.body}) DESC LIMIT 1`;
    if (same) {
      await db.$executeRaw`UPDATE memories SET occurrences = occurrences + 1, last_learned_at = now() WHERE id = ${same.id}::uuid`;
      return same.id;
    }
  }
  const [row] = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO memories (id, kind, subject, subject_key, body, tags, author_label, updated_at)
    VALUES (gen_random_uuid(), ${record.kind}::"MemoryKind", ${subject}, ${key}, ${record.body}, '{}', ${record.author}, now())
    RETURNING id`;
  return row!.id;
}
