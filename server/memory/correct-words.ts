import { LRUCache } from "lru-cache";
import type { DbOrTx } from "../db/client";
import { sqlRows } from "../db/direct-sql";
import { Prisma } from "../db/generated/client";
import { ENVIRONMENT_WORDS, GENERIC_WORDS, OPERATION_WORDS, operationOf } from "./operations";
import { nearestWord, typoBudget } from "./typo-distance";

/** A query word read as another: `restrat` → `restart`. */
export type Correction = { asked: string; read: string; distance: number };

// Words known to be in the vocabulary (memory_words only grows), so that a decision whose words
// were all seen before skips the vocabulary round trip.
const KNOWN = new LRUCache<string, true>({ max: 100_000 });
// Unknown words with no near neighbour in the vocabulary, for a second: a fleet repeats its words,
// and this saves a decision its vocabulary round trip. Only that answer is kept. A word read as
// its neighbour is looked up each time: kept, it would go on being read as the neighbour after a
// failure made it a word of the memory, and the very next proposal would miss that failure (one
// letter off, `restart svabc` read as `restart svabd`). A word kept as having none stays as it is,
// so the lesson a new word brings is found at once; only corrections towards it wait a second.
const NO_NEIGHBOUR = new LRUCache<string, true>({ max: 20_000, ttl: 1_000 });

function needsNoLookup(word: string): boolean {
  return (
    KNOWN.has(word) ||
    NO_NEIGHBOUR.has(word) ||
    operationOf(word) !== null ||
    ENVIRONMENT_WORDS.has(word) ||
    GENERIC_WORDS.has(word) ||
    /\d/.test(word) ||
    typoBudget(word) === 0
  );
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
  const read = new Map<string, Correction>();
  for (const [asked, nearest] of await lookUpNearest(db, unknown)) {
    if (nearest) read.set(asked, { asked, read: nearest.word, distance: nearest.distance });
    else NO_NEIGHBOUR.set(asked, true);
  }
  // In the query's own order, as a person reads the explanation.
  const corrections = unknown.map((w) => read.get(w)).filter((c): c is Correction => c !== undefined);
  return { words: words.map((w) => read.get(w)?.read ?? w), corrections };
}

/** Each word's nearest word in the vocabulary within its typo budget (else the nearest verb), or null when it is known or has none. */
async function lookUpNearest(db: DbOrTx, unknown: string[]): Promise<Map<string, { word: string; distance: number } | null>> {
  const rows = await sqlRows<{ asked: string; word: string | null; distance: number | null }>(
    db,
    Prisma.sql`
    SELECT a.asked, c.word, c.distance
      FROM unnest(${unknown}::text[], ${unknown.map(typoBudget)}::int[]) AS a(asked, budget)
      LEFT JOIN LATERAL (
        SELECT w.word, levenshtein_less_equal(a.asked, w.word, a.budget) AS distance
          FROM memory_words w
         WHERE length(w.word) BETWEEN length(a.asked) - a.budget AND length(a.asked) + a.budget
           AND levenshtein_less_equal(a.asked, w.word, a.budget) <= a.budget
         ORDER BY 2, w.word
         LIMIT 1) c ON TRUE`,
  );
  const found = new Map<string, { word: string; distance: number } | null>();
  for (const row of rows) {
    if (row.word !== null && row.distance === 0) {
      KNOWN.set(row.asked, true);
      found.set(row.asked, null);
      continue;
    }
    found.set(row.asked, row.word !== null && row.distance !== null ? { word: row.word, distance: row.distance } : nearestWord(row.asked, OPERATION_WORDS));
  }
  return found;
}
