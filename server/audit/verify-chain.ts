import type { DbOrTx } from "../db/client";
import { sealAuditLog } from "./seal-audit";

export type ChainBreak = { id: string; problem: string };
export type ChainReport = { ok: boolean; rowsChecked: number; firstBroken: ChainBreak | null; pending: number };

const BATCH = 5000;

type LinkRow = { seq: bigint; audit_id: bigint; prev_hash: string; hash: string; row_id: bigint | null; recomputed: string | null };

/**
 * Seals what is ready, then walks the chain in seal order: each link's prev_hash must be the
 * hash before it, each row must still exist and hash to what was sealed, and no row may sit
 * behind the chain's head unsealed (inserted into the past). Names the first broken row.
 */
export async function verifyAuditChain(db: DbOrTx): Promise<ChainReport> {
  await sealAuditLog(db);
  let afterSeq = BigInt(0);
  let previousHash = "";
  let previousId: bigint | null = null;
  let rowsChecked = 0;
  const broken = (id: bigint, problem: string): ChainReport => ({
    ok: false,
    rowsChecked,
    firstBroken: { id: id.toString(), problem },
    pending: 0,
  });
  for (;;) {
    const links = await db.$queryRaw<LinkRow[]>`
      SELECT c.seq, c.audit_id, c.prev_hash, c.hash, a.id AS row_id,
             CASE WHEN a.id IS NULL THEN NULL ELSE audit_row_hash(c.prev_hash, a) END AS recomputed
        FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.audit_id
       WHERE c.seq > ${afterSeq} ORDER BY c.seq LIMIT ${BATCH}`;
    for (const link of links) {
      if (link.prev_hash !== previousHash) {
        return broken(link.audit_id, `its link does not follow row ${previousId ?? "(start)"}: the chain itself was altered`);
      }
      if (link.row_id === null) return broken(link.audit_id, "the row was removed from the audit log");
      if (link.recomputed !== link.hash) return broken(link.audit_id, "its content does not match its hash: the row was changed");
      previousHash = link.hash;
      previousId = link.audit_id;
      rowsChecked += 1;
    }
    if (links.length < BATCH) break;
    afterSeq = links[links.length - 1]!.seq;
  }
  if (previousId !== null) {
    const [outOfOrder] = await db.$queryRaw<{ id: bigint }[]>`
      SELECT a.id FROM audit_log a, (SELECT txid, audit_id FROM audit_chain ORDER BY seq DESC LIMIT 1) head
       WHERE (a.txid, a.id) < (head.txid, head.audit_id)
         AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id)
       ORDER BY a.id LIMIT 1`;
    if (outOfOrder) return broken(outOfOrder.id, "the row is missing from the chain: it was inserted behind the sealer's back");
  }
  const [pending] = await db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM audit_log a WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id)`;
  return { ok: true, rowsChecked, firstBroken: null, pending: Number(pending?.n ?? 0) };
}
