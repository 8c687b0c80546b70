import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";

// No "server-only" here: server/env.ts validates the configured key with these, and env.ts is
// imported by the CLI and the tests as well as the server.

/**
 * The audit anchor's key is Ed25519, not an HMAC secret: whoever checks an anchor (an auditor,
 * a second machine, `audit verify --anchor` run elsewhere) needs only the public key, which
 * cannot sign. An HMAC key would have to sit wherever anchors are verified, and anyone holding
 * it could forge anchors there.
 */
export type AnchorKeyPair = { privateKey: KeyObject; publicKey: KeyObject; keyId: string };

/** One line each, so that the private key fits in an environment variable. */
export function generateAnchorKey(): { privateKey: string; publicKey: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKey: privateKey.export({ format: "der", type: "pkcs8" }).toString("base64"),
    publicKey: publicKey.export({ format: "der", type: "spki" }).toString("base64"),
    keyId: anchorKeyId(publicKey),
  };
}

/** Reads an Ed25519 private key given as PEM or as base64 of its PKCS#8 DER (what anchor-key prints). */
export function parseAnchorPrivateKey(text: string): AnchorKeyPair {
  const trimmed = text.trim();
  const privateKey = trimmed.startsWith("-----BEGIN")
    ? createPrivateKey(trimmed)
    : createPrivateKey({ key: Buffer.from(trimmed, "base64"), format: "der", type: "pkcs8" });
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error(`the audit anchor key must be Ed25519, not ${privateKey.asymmetricKeyType}`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: anchorKeyId(publicKey) };
}

/** Reads an Ed25519 public key given as PEM or as base64 of its SPKI DER. */
export function parseAnchorPublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  const publicKey = trimmed.startsWith("-----BEGIN")
    ? createPublicKey(trimmed)
    : createPublicKey({ key: Buffer.from(trimmed, "base64"), format: "der", type: "spki" });
  if (publicKey.asymmetricKeyType !== "ed25519") throw new Error(`the audit anchor public key must be Ed25519, not ${publicKey.asymmetricKeyType}`);
  return publicKey;
}

/** A short name for a key, written into each anchor so a verifier sees which key it needs. */
export function anchorKeyId(publicKey: KeyObject): string {
  return createHash("sha256")
    .update(publicKey.export({ format: "der", type: "spki" }))
    .digest("hex")
    .slice(0, 16);
}
