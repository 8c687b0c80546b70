import type { RequestOrigin, UserActor } from "../auth/actor";
import { issueSecret } from "../auth/secrets";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { publish } from "../events/bus";
import { notFound } from "../errors";

const tokenView = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

export function listApiTokens(db: DbOrTx, userId: string) {
  return db.apiToken.findMany({ where: { userId }, orderBy: { createdAt: "desc" }, select: tokenView });
}

/** A personal token for scripts; it acts with its owner's role at the time of each request. */
export async function createApiToken(db: DbOrTx, owner: UserActor, name: string, origin?: RequestOrigin) {
  const issued = issueSecret("userToken");
  return inTransaction(db, async (tx) => {
    const token = await tx.apiToken.create({
      data: { userId: owner.id, name, tokenHash: issued.hash, prefix: issued.prefix },
      select: tokenView,
    });
    await appendAudit(tx, {
      actor: owner,
      verb: "token.create",
      subject: { type: "api_token", id: token.id },
      data: { name, prefix: issued.prefix },
      origin,
    });
    return { token, secret: issued.secret };
  });
}

/** Owners revoke their own tokens; admins may revoke anyone's. */
export async function revokeApiToken(db: DbOrTx, actor: UserActor, tokenId: string, origin?: RequestOrigin) {
  return inTransaction(db, async (tx) => {
    const token = await tx.apiToken.findUnique({ where: { id: tokenId } });
    if (!token || (token.userId !== actor.id && actor.role !== "admin")) throw notFound("token", tokenId);
    if (token.revokedAt) return { id: token.id, revokedAt: token.revokedAt };
    const updated = await tx.apiToken.update({
      where: { id: tokenId },
      data: { revokedAt: new Date() },
      select: { id: true, revokedAt: true },
    });
    await appendAudit(tx, {
      actor,
      verb: "token.revoke",
      subject: { type: "api_token", id: tokenId },
      data: { name: token.name, prefix: token.prefix, ownerId: token.userId },
      origin,
    });
    await publish(tx, { type: "user.access_changed", userId: token.userId });
    return updated;
  });
}
