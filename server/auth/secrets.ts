import { createHash, randomBytes } from "node:crypto";

/** Kinds of bearer secret; the prefix tells the server which table to look the hash up in. */
export const SECRET_PREFIX = { agentKey: "wdn_agent_", userToken: "wdn_user_" } as const;
export type SecretKind = keyof typeof SECRET_PREFIX;

export type IssuedSecret = { secret: string; hash: string; prefix: string };

/** A 256-bit random secret, shown once; only its sha256 is stored (it is not a password). */
export function issueSecret(kind: SecretKind): IssuedSecret {
  const secret = SECRET_PREFIX[kind] + randomBytes(32).toString("base64url");
  return { secret, hash: hashSecret(secret), prefix: secret.slice(0, SECRET_PREFIX[kind].length + 6) };
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function secretKind(secret: string): SecretKind | null {
  for (const [kind, prefix] of Object.entries(SECRET_PREFIX) as [SecretKind, string][]) {
    if (secret.startsWith(prefix)) return kind;
  }
  return null;
}
