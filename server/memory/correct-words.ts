import type { DbOrTx } from "../db/client";
import { sqlRows } from "../db/direct-sql";
import { Prisma } from "../db/generated/client";
import { ENVIRONMENT_WORDS, GENERIC_WORDS, OPERATION_WORDS, operationOf } from "./operations";
import { nearestWord, typoBudget } from "./typo-distance";

/** A query word read as another: `restrat` → `restart`. */
export type Correction = { asked: string; read: string; distance: number };

// Words known to be in the vocabulary (memory_words only grows), so that a decision whose words
// were all seen before skips the vocabulary round trip. Bounded: cleared when it fills.
const KNOWN = new Set<string>();
const KNOWN_LIMIT = 100_000;

function needsNoLookup(word: string): boolean {
  return KNOWN.has(word) || operationOf(word) !== null || ENVIRONMENT_WORDS.has(word) || GENERIC_WORDS.has(word) || /\d/.test(word) || typoBudget(word) === 0;
}

/**
 * Reads each word of a query as the nearest word the memory knows (memory_words: the words of
 * every subject, resource and operation), within the word's typo budget, so a typo in any word
 * of a query (not only a one-word query) still meets its lesson. A word that is known, or has no
 * near neighbour, stays as it is; a typo'd verb with no neighbour in the vocabulary is read as the
 * nearest verb recall knows.
 */
export async function correctWords(db: DbOrTx, words: string[]): Promise<{ words: string[]; corrections: Correction[] }> {
  const unknown = [...new Set(words.filter((w) => !needsNoLookup(w)))];
  if (unknown.length === 0) return { words, corrections: [] };
  const rows = await sqlRows<{ asked: string; word: string | null; distance: number | null }>(db, Prisma.sql`
    SELECT a.asked, c.word, c.distance
      FROM unnest(${unknown}::text[], ${unknown.map(typoBudget)}::int[]) AS a(asked, budget)
      LEFT JOIN LATERAL (
        SELECT w.word, levenshtein_less_equal(a.asked, w.word, a.budget) AS distance
          FROM memory_words w
         WHERE length(w.word) BETWEEN length(a.asked) - a.budget AND length(a.asked) + a.budget
           AND levenshtein_less_equal(a.asked, w.word, a.budget) <= a.budget
         ORDER BY 2, w.word
         LIMIT 1) c ON TRUE`);
  if (KNOWN.size > KNOWN_LIMIT) KNOWN.clear();
  const read = new Map<string, Correction>();
  for (const row of rows) {
    if (row.word !== null && row.distance === 0) {
      KNOWN.add(row.asked);
      continue;
    }
    const nearest = row.word !== null && row.distance !== null ? { word: row.word, distance: row.distance } : nearestWord(row.asked, OPERATION_WORDS);
    if (nearest) read.set(row.asked, { asked: row.asked, read: nearest.word, distance: nearest.distance });
  }
  // In the query's own order, as a person reads the explanation.
  const corrections = unknown.map((w) => read.get(w)).filter((c): c is Correction => c !== undefined);
  return { words: words.map((w) => read.get(w)?.read ?? w), corrections };
}
