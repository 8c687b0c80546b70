import type { DbOrTx } from "../db/client";
import type { AgentActor, UserActor } from "./actor";
import { hashSecret, secretKind } from "./secrets";

export type BearerPrincipal =
  | { kind: "agent"; actor: AgentActor; keyId: string }
  | { kind: "user"; actor: UserActor; tokenId: string };

// last_used_at / last_seen_at are written at most this often per key, so a busy agent does not
// turn every read into a write.
const TOUCH_INTERVAL_MS = 30_000;

export function bearerFromHeaders(headers: Headers): string | null {
  const value = headers.get("authorization");
  if (!value) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match ? match[1]! : null;
}

/**
 * Resolves an agent key or a personal token to its principal, or null when it is unknown,
 * revoked, or belongs to a deactivated agent or person. Looked up on every request, so a
 * revocation takes effect on the very next call.
 */
export async function authenticateBearer(db: DbOrTx, secret: string): Promise<BearerPrincipal | null> {
  const kind = secretKind(secret);
  if (!kind) return null;
  const hash = hashSecret(secret);
  const touchBefore = new Date(Date.now() - TOUCH_INTERVAL_MS);
  if (kind === "agentKey") {
    const key = await db.agentKey.findUnique({ where: { keyHash: hash }, include: { agent: true } });
    if (!key || key.revokedAt || !key.agent.active) return null;
    if (!key.lastUsedAt || key.lastUsedAt < touchBefore) {
      const now = new Date();
      await Promise.all([
        db.agentKey.update({ where: { id: key.id }, data: { lastUsedAt: now } }),
        db.agent.update({ where: { id: key.agentId }, data: { lastSeenAt: now } }),
      ]);
    }
    const { agent } = key;
    return {
      kind: "agent",
      keyId: key.id,
      actor: { type: "agent", id: agent.id, label: agent.name, role: agent.role, team: agent.team },
    };
  }
  const token = await db.apiToken.findUnique({ where: { tokenHash: hash }, include: { user: true } });
  if (!token || token.revokedAt || !token.user.active) return null;
  if (!token.lastUsedAt || token.lastUsedAt < touchBefore) {
    await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } });
  }
  const { user } = token;
  return { kind: "user", tokenId: token.id, actor: { type: "user", id: user.id, label: user.email, role: user.role } };
}
