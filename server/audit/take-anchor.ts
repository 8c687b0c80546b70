import type { DbOrTx } from "../db/client";
import type { AnchorKeyPair } from "./anchor-key";
import { sealAuditLog } from "./seal-audit";
import { signAnchor, type AnchorHead, type AuditAnchor } from "./sign-anchor";

type HeadRow = { seq: bigint | null; audit_id: bigint | null; hash: string | null; row_at: string | null; complete_before: string; anchored_at: string };

/**
 * The chain's head as it stands, read in one statement (one snapshot). `completeBefore` is the
 * earliest of: this transaction's start, the start of any transaction still open in this
 * database, and the time of any committed row not sealed yet. An audit row's `at` is its
 * transaction's start, so every row that could still join the chain has `at` at or after it;
 * a row sealed after this anchor that claims an earlier time was put there by hand. One second
 * is taken off for a transaction that began just as pg_stat_activity was read. (Transactions of
 * other database roles are not visible here without pg_read_all_stats; only Warden's role
 * writes audit rows.)
 */
export async function readAuditHead(db: DbOrTx): Promise<AnchorHead> {
  const [row] = await db.$queryRaw<HeadRow[]>`
    WITH head AS (
      SELECT c.seq, c.audit_id, c.hash, c.txid, a.at
        FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.audit_id
       ORDER BY c.seq DESC LIMIT 1
    ), horizon AS (
      SELECT least(
               now(),
               (SELECT min(s.xact_start) FROM pg_stat_activity s
                 WHERE s.datname = current_database() AND s.pid <> pg_backend_pid()),
               (SELECT min(a.at) FROM audit_log a
                 WHERE (a.txid, a.id) > (SELECT coalesce((SELECT txid FROM head), '0'::xid8), coalesce((SELECT audit_id FROM head), 0)))
             ) - interval '1 second' AS t
    )
    SELECT h.seq, h.audit_id, h.hash,
           to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS row_at,
           to_char((SELECT t FROM horizon) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS complete_before,
           to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS anchored_at
      FROM (SELECT 1) one LEFT JOIN head h ON true`;
  const seq = row!.seq ?? BigInt(0);
  return {
    seq: seq.toString(),
    auditId: row!.audit_id?.toString() ?? null,
    hash: row!.hash ?? "",
    rowAt: row!.row_at,
    // The chain is numbered from 1 without gaps: the last seq is the number of sealed rows.
    rows: Number(seq),
    completeBefore: row!.complete_before,
    anchoredAt: row!.anchored_at,
  };
}

/** Seals what is ready, then signs the head: what `audit anchor` prints and the job publishes. */
export async function takeAuditAnchor(db: DbOrTx, key: AnchorKeyPair): Promise<AuditAnchor> {
  await sealAuditLog(db);
  return signAnchor(await readAuditHead(db), key);
}
