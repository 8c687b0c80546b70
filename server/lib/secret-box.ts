import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * Secrets Warden must use again later (Slack's bot token and signing secret, an SMTP password)
 * cannot be hashed like API keys: they are sealed with AES-256-GCM instead, under a key derived
 * (HKDF-SHA256) from the instance's key material, and opened only when a message is sent or a
 * request verified. The format is versioned: `v1.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
const VERSION = "v1";
const INFO = "warden settings secrets v1";

export function deriveSealingKey(material: string): Buffer {
  return Buffer.from(hkdfSync("sha256", material, "warden", INFO, 32));
}

export function sealSecret(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

/** Throws when the text was sealed under another key (the key material changed) or altered. */
export function openSecret(key: Buffer, sealed: string): string {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error("not a sealed secret");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}
