import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";

// How many logged recalls one pass folds; a busier log is folded over several passes.
const BATCH = 20_000;

type Tally = { memory_id: string; n: number; last: Date };

/**
 * Folds the recall log (memory_recalls, appended by every decision and recall) into each entry's
 * times_recalled and last_recalled_at. Exact: a logged recall is counted once, by the pass that
 * flips its `counted` flag; passes running at once (every instance runs one, and the memory
 * pages run one before they read) claim disjoint rows (SKIP LOCKED) and never wait for each
 * other's claims. The entries are then locked in id order, as a merge locks them, so two passes,
 * or a pass and an edit, queue instead of deadlocking. `memoryIds` limits a pass to some entries
 * (a merge folds its entries' recalls before it adds their counts up).
 */
export async function foldRecalls(db: DbOrTx, options: { memoryIds?: string[] } = {}): Promise<number> {
  return inTransaction(db, async (tx) => {
    const only = options.memoryIds ?? null;
    const tallies = await tx.$queryRaw<Tally[]>`
      WITH claimed AS (
        UPDATE memory_recalls SET counted = true
         WHERE id IN (SELECT id FROM memory_recalls
                       WHERE NOT counted AND (${only}::uuid[] IS NULL OR memory_id = ANY(${only}::uuid[]))
                       ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
        RETURNING memory_id, at)
      SELECT memory_id, count(*)::int AS n, max(at) AS last FROM claimed GROUP BY memory_id ORDER BY memory_id`;
    if (tallies.length === 0) return 0;
    const ids = tallies.map((t) => t.memory_id);
    await tx.$queryRaw`SELECT id FROM memories WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR NO KEY UPDATE`;
    await tx.$executeRaw`
      UPDATE memories m SET times_recalled = m.times_recalled + t.n, last_recalled_at = greatest(m.last_recalled_at, t.last)
        FROM unnest(${ids}::uuid[], ${tallies.map((t) => t.n)}::int[], ${tallies.map((t) => t.last.toISOString())}::timestamptz[]) AS t(id, n, last)
       WHERE m.id = t.id`;
    return tallies.reduce((sum, t) => sum + t.n, 0);
  });
}
