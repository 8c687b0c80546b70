import type { DbOrTx } from "../db/client";

export type ChainBreak = { id: string; problem: string };
export type ChainReport = { ok: boolean; rowsChecked: number; firstBroken: ChainBreak | null };

const BATCH = 5000;

/**
 * Walks the audit log in id order, recomputing each row's hash in the database (the same
 * canonical encoding the insert trigger used) and checking each prev_hash against the hash of
 * the row before. Stops at the first broken row and names it.
 */
export async function verifyAuditChain(db: DbOrTx): Promise<ChainReport> {
  let afterId = BigInt(-1);
  let previousHash = "";
  let previousId: bigint | null = null;
  let rowsChecked = 0;
  for (;;) {
    const rows = await db.$queryRaw<{ id: bigint; prev_hash: string; hash: string; recomputed: string }[]>`
      SELECT a.id, a.prev_hash, a.hash, audit_row_hash(a.prev_hash, a) AS recomputed
        FROM audit_log a WHERE a.id > ${afterId} ORDER BY a.id LIMIT ${BATCH}`;
    for (const row of rows) {
      if (row.prev_hash !== previousHash) {
        const problem =
          previousId === null
            ? "the first row's prev_hash is not empty: rows before it were removed"
            : `prev_hash does not match the hash of row ${previousId}: a row between them was removed or changed`;
        return { ok: false, rowsChecked, firstBroken: { id: row.id.toString(), problem } };
      }
      if (row.hash !== row.recomputed) {
        return {
          ok: false,
          rowsChecked,
          firstBroken: { id: row.id.toString(), problem: "its content does not match its hash: the row was changed" },
        };
      }
      previousHash = row.hash;
      previousId = row.id;
      rowsChecked += 1;
    }
    if (rows.length < BATCH) return { ok: true, rowsChecked, firstBroken: null };
    afterId = rows[rows.length - 1]!.id;
  }
}
