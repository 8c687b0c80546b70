import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { generateAnchorKey, parseAnchorPrivateKey, parseAnchorPublicKey } from "../../server/audit/anchor-key";
import { anchorSignatureValid, parseAnchors, signAnchor, type AnchorHead } from "../../server/audit/sign-anchor";

const KEY_TEXT = generateAnchorKey();
const KEY = parseAnchorPrivateKey(KEY_TEXT.privateKey);
const HEAD: AnchorHead = {
  seq: "42",
  auditId: "1042",
  hash: "ab".repeat(32),
  rowAt: "2026-11-30T10:00:00.123456Z",
  rows: 42,
  completeBefore: "2026-11-30T09:59:59.000000Z",
  anchoredAt: "2026-11-30T10:00:01.000000Z",
};

describe("audit anchors: signing and reading", () => {
  it("a signed anchor verifies with the public key alone, given as printed or as PEM", () => {
    const anchor = signAnchor(HEAD, KEY);
    expect(anchorSignatureValid(anchor, parseAnchorPublicKey(KEY_TEXT.publicKey))).toBe(true);
    const pem = KEY.publicKey.export({ format: "pem", type: "spki" }).toString();
    expect(anchorSignatureValid(anchor, parseAnchorPublicKey(pem))).toBe(true);
  });

  it.each([
    ["seq", "41"],
    ["auditId", "1041"],
    ["hash", "cd".repeat(32)],
    ["rowAt", "2026-11-30T10:00:00.123457Z"],
    ["rows", 41],
    ["completeBefore", "2026-11-30T09:00:00.000000Z"],
    ["anchoredAt", "2026-11-30T10:00:02.000000Z"],
    ["keyId", "0000000000000000"],
  ] as const)("changing %s breaks the signature", (field, value) => {
    const anchor = { ...signAnchor(HEAD, KEY), [field]: value };
    expect(anchorSignatureValid(anchor, KEY.publicKey)).toBe(false);
  });

  it("another key's anchor does not verify", () => {
    const other = parseAnchorPrivateKey(generateAnchorKey().privateKey);
    expect(anchorSignatureValid(signAnchor(HEAD, other), KEY.publicKey)).toBe(false);
  });

  it("reads one anchor (pretty-printed too) or JSON lines, and names a line that is not an anchor", () => {
    const a = signAnchor(HEAD, KEY);
    const b = signAnchor({ ...HEAD, seq: "43", rows: 43 }, KEY);
    expect(parseAnchors(JSON.stringify(a, null, 2))).toEqual([a]);
    expect(parseAnchors(`${JSON.stringify(a)}\n\n${JSON.stringify(b)}\n`)).toEqual([a, b]);
    expect(() => parseAnchors(`${JSON.stringify(a)}\n{"seq": "1"}\n`)).toThrow(/line 2: not an audit anchor/);
    expect(() => parseAnchors(`${JSON.stringify(a)}\nnot json\n`)).toThrow(/line 2: not JSON/);
    expect(() => parseAnchors("  \n")).toThrow(/empty/);
  });

  it("a key that is not an Ed25519 private key stops the environment from loading", () => {
    const load = (env: Record<string, string>) =>
      spawnSync(process.execPath, ["--import", "tsx", "-e", "await import('./server/env.ts')"], {
        env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", ...env },
        encoding: "utf8",
      });
    expect(load({ WARDEN_AUDIT_ANCHOR_KEY: KEY_TEXT.privateKey }).status).toBe(0);
    const wrong = load({ WARDEN_AUDIT_ANCHOR_KEY: KEY_TEXT.publicKey });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toContain("WARDEN_AUDIT_ANCHOR_KEY");
    const both = load({ WARDEN_AUDIT_ANCHOR_KEY: KEY_TEXT.privateKey, WARDEN_AUDIT_ANCHOR_KEY_FILE: "/nonexistent" });
    expect(both.stderr).toContain("not both");
    const missing = load({ WARDEN_AUDIT_ANCHOR_KEY_FILE: "/nonexistent/key" });
    expect(missing.stderr).toContain("WARDEN_AUDIT_ANCHOR_KEY_FILE");
  });
});
