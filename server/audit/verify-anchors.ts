import type { KeyObject } from "node:crypto";
import type { DbOrTx } from "../db/client";
import { anchorKeyId } from "./anchor-key";
import { anchorSignatureValid, type AuditAnchor } from "./sign-anchor";
import { verifyAuditChain, type ChainReport } from "./verify-chain";

export type AnchoredChainReport =
  { ok: true; rowsChecked: number; anchorsChecked: number; pending: number } | { ok: false; problem: string; chain: ChainReport | null };

type LinkRow = { seq: bigint; audit_id: bigint; hash: string };
type BackdatedRow = { id: bigint; seq: bigint | null; at: string; anchor: number };

/**
 * Checks the chain against anchors signed outside the database. verifyAuditChain proves the
 * chain agrees with itself; that is not enough against someone who can write the tables, who
 * can drop the newest rows with their links, or change a row and re-hash every link after it.
 * An anchor pins the hash at one seq: the chain must still reach that seq, with that row and
 * that hash there (so nothing at or before it was removed, changed or inserted), and no row
 * sealed after it may claim a time before the anchor's completeBefore (a backdated insert).
 * Anchors that fail their signature are refused before anything else is read. Several public
 * keys may be given (a key was rotated: the older anchors still count); each anchor is checked
 * with the one its keyId names.
 */
export async function verifyAuditChainWithAnchors(
  db: DbOrTx,
  anchors: readonly AuditAnchor[],
  publicKeys: KeyObject | readonly KeyObject[],
): Promise<AnchoredChainReport> {
  const byId = new Map((Array.isArray(publicKeys) ? publicKeys : [publicKeys]).map((key: KeyObject) => [anchorKeyId(key), key]));
  for (const [i, anchor] of anchors.entries()) {
    const key = byId.get(anchor.keyId);
    if (!key || !anchorSignatureValid(anchor, key)) {
      const which = key ? "its signature does not verify: it was altered or forged" : `it names key ${anchor.keyId}, not ${[...byId.keys()].join(" or ")}`;
      return { ok: false, problem: `anchor ${i + 1} (seq ${anchor.seq}, ${anchor.anchoredAt}) is refused: ${which}`, chain: null };
    }
  }

  const chain = await verifyAuditChain(db);
  if (!chain.ok) {
    return { ok: false, problem: `the chain is broken at row ${chain.firstBroken!.id}: ${chain.firstBroken!.problem}`, chain };
  }

  const [head] = await db.$queryRaw<LinkRow[]>`SELECT seq, audit_id, hash FROM audit_chain ORDER BY seq DESC LIMIT 1`;
  const headSeq = head?.seq ?? BigInt(0);
  const bySeq = [...anchors].sort((a, b) => compareSeq(a.seq, b.seq));

  // One query for every anchored link: a JSON-lines file of a year's anchors holds 100k of them.
  const anchoredSeqs = [...new Set(bySeq.map((a) => a.seq))].map((seq) => BigInt(seq));
  const links = new Map(
    (await db.$queryRaw<LinkRow[]>`SELECT seq, audit_id, hash FROM audit_chain WHERE seq = ANY(${anchoredSeqs}::bigint[])`).map((l) => [l.seq.toString(), l]),
  );
  // The lowest anchor that no longer matches, and the highest one below it that does: whatever
  // was done happened between the two.
  let lastGood: AuditAnchor | null = null;
  for (const anchor of bySeq) {
    const seq = BigInt(anchor.seq);
    const since = lastGood ? `after seq ${lastGood.seq} (anchored ${lastGood.anchoredAt}, still intact)` : "from the start of the chain";
    if (seq > headSeq) {
      return {
        ok: false,
        problem:
          `the chain ends at seq ${headSeq}${head ? ` (row ${head.audit_id})` : ""}, but the anchor of ${anchor.anchoredAt} signed seq ${anchor.seq} ` +
          `(row ${anchor.auditId}): ${seq - headSeq} row(s) at seq ${headSeq + BigInt(1)}..${anchor.seq} were removed with their links`,
        chain,
      };
    }
    if (seq === BigInt(0)) continue; // an anchor of the empty chain vouches for nothing
    const link = links.get(seq.toString());
    if (!link || link.audit_id.toString() !== anchor.auditId || link.hash !== anchor.hash) {
      const now = link ? `row ${link.audit_id}, hash ${link.hash.slice(0, 12)}…` : "no link";
      return {
        ok: false,
        problem:
          `at seq ${anchor.seq} the chain has ${now}, but the anchor of ${anchor.anchoredAt} signed row ${anchor.auditId}, hash ${anchor.hash.slice(0, 12)}…: ` +
          `rows ${since} up to seq ${anchor.seq} were changed, removed or inserted, and the chain re-hashed`,
        chain,
      };
    }
    lastGood = anchor;
  }

  const backdated = await findBackdatedRow(db, bySeq, head ?? null);
  if (backdated) {
    const anchor = bySeq[backdated.anchor]!;
    const where = backdated.seq === null ? "is not sealed yet" : `was sealed at seq ${backdated.seq}`;
    return {
      ok: false,
      problem:
        `row ${backdated.id} claims the time ${backdated.at} but ${where}, after the anchor of ${anchor.anchoredAt} (seq ${anchor.seq}), ` +
        `which had sealed every row from before ${anchor.completeBefore}: the row was inserted later and backdated`,
      chain,
    };
  }
  return { ok: true, rowsChecked: chain.rowsChecked, anchorsChecked: anchors.length, pending: chain.pending };
}

function compareSeq(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A row past an anchor whose `at` is before that anchor's completeBefore. A row at seq n must be
 * no older than the latest completeBefore among anchors below n, so each anchor that raises that
 * bound covers the seq range up to the next such anchor; one query checks every range.
 */
async function findBackdatedRow(db: DbOrTx, bySeq: readonly AuditAnchor[], head: LinkRow | null): Promise<BackdatedRow | null> {
  const from: bigint[] = [];
  const to: bigint[] = []; // -1: open-ended (the last range)
  const bound: string[] = [];
  const which: number[] = [];
  bySeq.forEach((anchor, i) => {
    if (bound.length > 0 && Date.parse(anchor.completeBefore) <= Date.parse(bound[bound.length - 1]!)) return;
    if (to.length > 0) to[to.length - 1] = BigInt(anchor.seq);
    from.push(BigInt(anchor.seq));
    to.push(BigInt(-1));
    bound.push(anchor.completeBefore);
    which.push(i);
  });
  if (from.length === 0) return null;
  const [sealed] = await db.$queryRaw<BackdatedRow[]>`
    SELECT a.id, c.seq, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, r.anchor
      FROM unnest(${from}::bigint[], ${to}::bigint[], ${bound}::timestamptz[], ${which}::int[]) AS r(lo, hi, bound, anchor)
      JOIN audit_chain c ON c.seq > r.lo AND (r.hi < 0 OR c.seq <= r.hi)
      JOIN audit_log a ON a.id = c.audit_id
     WHERE a.at < r.bound
     ORDER BY c.seq LIMIT 1`;
  if (sealed) return sealed;
  // Rows committed but not sealed yet (an older transaction still open) are past every anchor.
  const last = from.length - 1;
  const [pending] = await db.$queryRaw<BackdatedRow[]>`
    SELECT a.id, NULL::bigint AS seq, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, ${which[last]!}::int AS anchor
      FROM audit_log a
     WHERE (a.txid, a.id) > (SELECT coalesce((SELECT txid FROM audit_chain WHERE seq = ${head?.seq ?? BigInt(0)}), '0'::xid8), ${head?.audit_id ?? BigInt(0)}::bigint)
       AND a.at < ${bound[last]!}::timestamptz
     ORDER BY a.id LIMIT 1`;
  return pending ?? null;
}
