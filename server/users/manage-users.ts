import type { Actor, RequestOrigin } from "../auth/actor";
import { endUserSessions } from "../auth/user-sessions";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx, Tx } from "../db/client";
import type { Role } from "../db/generated/enums";
import { inTransaction } from "../db/transaction";
import { publish } from "../events/bus";
import { AppError, notFound } from "../errors";

export function listUsers(db: DbOrTx) {
  return db.user.findMany({
    orderBy: { createdAt: "asc" },
    select: { id: true, email: true, name: true, role: true, active: true, createdAt: true, lastLoginAt: true },
  });
}

/** Warden must always keep one active admin, or nobody could manage it from the console. */
async function assertAnotherActiveAdmin(tx: Tx, userId: string): Promise<void> {
  const others = await tx.user.count({ where: { role: "admin", active: true, id: { not: userId } } });
  if (others === 0) throw new AppError("CONFLICT", "Warden needs at least one active admin; promote another first");
}

async function lockUser(tx: Tx, userId: string) {
  // Row lock: two admins changing the same user apply one after the other.
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE id = ${userId}::uuid FOR UPDATE`;
  if (rows.length === 0) throw notFound("user", userId);
  return tx.user.findUniqueOrThrow({ where: { id: userId } });
}

export async function changeUserRole(db: DbOrTx, actor: Actor, userId: string, role: Role, origin?: RequestOrigin) {
  return inTransaction(db, async (tx) => {
    const user = await lockUser(tx, userId);
    if (user.role === role) return { id: user.id, role: user.role };
    if (user.role === "admin") await assertAnotherActiveAdmin(tx, userId);
    const updated = await tx.user.update({ where: { id: userId }, data: { role }, select: { id: true, role: true } });
    // Personal tokens act with the person's role: every instance reloads it.
    await publish(tx, { type: "user.access_changed", userId });
    // Signed in again, the person sees the console of their new role (and nothing of the old).
    const sessionsEnded = await endUserSessions(tx, userId, "role_change");
    await appendAudit(tx, {
      actor,
      verb: "user.role_change",
      subject: { type: "user", id: userId },
      data: { email: user.email, from: user.role, to: role, sessionsEnded },
      origin,
    });

    return updated;
  });
}

export async function setUserActive(db: DbOrTx, actor: Actor, userId: string, active: boolean, origin?: RequestOrigin) {
  return inTransaction(db, async (tx) => {
    const user = await lockUser(tx, userId);
    if (user.active === active) return { id: user.id, active };
    if (!active && actor.id === userId) throw new AppError("CONFLICT", "You cannot deactivate yourself");
    if (!active && user.role === "admin") await assertAnotherActiveAdmin(tx, userId);
    await tx.user.update({ where: { id: userId }, data: { active } });
    await publish(tx, { type: "user.access_changed", userId });
    let sessionsEnded = 0;
    if (!active) {
      // A deactivated person's browsers and scripts stop too.
      await tx.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
      sessionsEnded = await endUserSessions(tx, userId, "deactivated");
    }
    await appendAudit(tx, {
      actor,
      verb: active ? "user.activate" : "user.deactivate",
      subject: { type: "user", id: userId },
      data: { email: user.email, ...(active ? {} : { sessionsEnded }) },
      origin,
    });
    return { id: userId, active };
  });
}
