import type { DbOrTx } from "../db/client";

const BATCH = 5000;

/**
 * Links every audit row whose transaction has ended into the hash chain (audit_seal() in the
 * database does the work; one sealer runs at a time across all instances). Returns the number
 * of rows sealed.
 */
export async function sealAuditLog(db: DbOrTx): Promise<number> {
  let total = 0;
  for (;;) {
    const [row] = await db.$queryRaw<{ sealed: number }[]>`SELECT audit_seal(${BATCH}::int) AS sealed`;
    total += row?.sealed ?? 0;
    if ((row?.sealed ?? 0) < BATCH) return total;
  }
}
