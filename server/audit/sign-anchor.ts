import { sign, verify, type KeyObject } from "node:crypto";
import { z } from "zod";
import { anchorKeyId, type AnchorKeyPair } from "./anchor-key";

/**
 * What an anchor vouches for: the audit chain's head at one moment. `seq` is the last sealed
 * link (the chain is numbered from 1 without gaps, so it is also the row count), `auditId` and
 * `hash` that link's row and hash, `rowAt` the row's own time. `completeBefore` is the time
 * before which every audit row that will ever exist was already sealed when the anchor was made
 * (see take-anchor.ts): a row sealed later that claims an earlier time was backdated.
 */
export const ZAnchorHead = z.object({
  seq: z.string().regex(/^\d+$/),
  auditId: z.string().regex(/^\d+$/).nullable(),
  hash: z.string(),
  rowAt: z.string().nullable(),
  rows: z.number().int().min(0),
  completeBefore: z.string(),
  anchoredAt: z.string(),
});
export type AnchorHead = z.infer<typeof ZAnchorHead>;

export const ZAuditAnchor = ZAnchorHead.extend({
  v: z.literal(1),
  alg: z.literal("ed25519"),
  keyId: z.string(),
  sig: z.string(),
});
export type AuditAnchor = z.infer<typeof ZAuditAnchor>;

/**
 * The bytes that are signed: the fields in a fixed order, with a label so that a signature made
 * with this key for anything else can never pass for an anchor. JSON.stringify of an array is
 * deterministic, unlike an object's key order after a round trip through other tools.
 */
function signedBytes(head: AnchorHead, keyId: string): Buffer {
  const fields = [head.seq, head.auditId, head.hash, head.rowAt, head.rows, head.completeBefore, head.anchoredAt, keyId];
  return Buffer.from(`warden-audit-anchor/v1\n${JSON.stringify(fields)}`, "utf8");
}

export function signAnchor(head: AnchorHead, key: AnchorKeyPair): AuditAnchor {
  const sig = sign(null, signedBytes(head, key.keyId), key.privateKey).toString("base64");
  return { v: 1, alg: "ed25519", ...head, keyId: key.keyId, sig };
}

/** True only when the anchor was signed by this public key and not changed since. */
export function anchorSignatureValid(anchor: AuditAnchor, publicKey: KeyObject): boolean {
  if (anchor.keyId !== anchorKeyId(publicKey)) return false;
  return verify(null, signedBytes(anchor, anchor.keyId), publicKey, Buffer.from(anchor.sig, "base64"));
}

/**
 * Reads a file of anchors: one JSON object, or JSON lines (what the scheduled job appends).
 * A line that is not an anchor is an error naming the line, never skipped: a verifier that
 * ignored what it cannot read could be handed a file whose telling anchors are garbled.
 */
export function parseAnchors(text: string): AuditAnchor[] {
  const trimmed = text.trim();
  if (trimmed === "") throw new Error("the anchor file is empty");
  let lines: { text: string; line: number }[];
  try {
    lines = [{ text: JSON.stringify(JSON.parse(trimmed)), line: 1 }];
  } catch {
    lines = text
      .split("\n")
      .map((line, i) => ({ text: line.trim(), line: i + 1 }))
      .filter((l) => l.text !== "");
  }
  return lines.map(({ text: line, line: number }) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`anchor file line ${number}: not JSON`);
    }
    const parsed = ZAuditAnchor.safeParse(value);
    if (!parsed.success) {
      const problem = parsed.error.issues[0]!;
      throw new Error(`anchor file line ${number}: not an audit anchor (${problem.path.join(".") || "value"}: ${problem.message})`);
    }
    return parsed.data;
  });
}
