import { appendFileSync } from "node:fs";
import type { Db } from "../db/client";
import { ADVISORY_LOCKS } from "../db/advisory-locks";
import { transaction } from "../db/transaction";
import type { AnchorKeyPair } from "./anchor-key";
import { sealAuditLog } from "./seal-audit";
import { signAnchor, type AuditAnchor } from "./sign-anchor";
import { readAuditHead } from "./take-anchor";

export type AnchorDestinations = { key: AnchorKeyPair; file?: string; url?: string };

/** Which head was published last, so that several instances publish each head once. */
const LAST_PUBLISHED = "audit_anchor_last_seq";
const POST_TIMEOUT_MS = 10_000;

/**
 * The scheduled anchor: seals, then, holding the auditAnchor lock (another instance's tick
 * returns at once), signs the head and appends it to the file and/or POSTs it to the URL. A
 * head already published is skipped, the record of it (instance_settings) being written in the
 * same transaction, so a failed POST is retried at the next tick. Someone who can write the
 * database can make Warden skip or repeat an anchor this way, never alter one already out.
 * Returns the anchor published, or null.
 */
export async function publishAuditAnchor(db: Db, to: AnchorDestinations): Promise<AuditAnchor | null> {
  if (!to.file && !to.url) return null;
  // Sealed outside the transaction below: audit_seal's lock would otherwise be held (and every
  // other sealer turned away) for as long as the POST takes.
  await sealAuditLog(db);
  return transaction(
    db,
    async (tx) => {
      const [locked] = await tx.$queryRaw<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${ADVISORY_LOCKS.auditAnchor}) AS ok`;
      if (!locked?.ok) return null;
      const head = await readAuditHead(tx);
      if (head.seq === "0") return null; // nothing to vouch for yet
      const last = await tx.instanceSetting.findUnique({ where: { key: LAST_PUBLISHED } });
      if (last?.value === head.seq) return null;
      const anchor = signAnchor(head, to.key);
      const line = JSON.stringify(anchor);
      // One write of one line with O_APPEND: lines from two processes never interleave.
      if (to.file) appendFileSync(to.file, `${line}\n`, { mode: 0o640 });
      if (to.url) {
        const response = await fetch(to.url, {
          method: "POST",
          headers: { "content-type": "application/json", "user-agent": "Warden-Audit-Anchor/1" },
          body: line,
          signal: AbortSignal.timeout(POST_TIMEOUT_MS),
        });
        if (!response.ok) throw new Error(`the audit anchor webhook answered HTTP ${response.status}`);
      }
      await tx.instanceSetting.upsert({
        where: { key: LAST_PUBLISHED },
        create: { key: LAST_PUBLISHED, value: head.seq },
        update: { value: head.seq },
      });
      return anchor;
    },
    { timeout: POST_TIMEOUT_MS + 5_000 },
  );
}
