import type { Actor, RequestOrigin, UserActor } from "../auth/actor";
import { hashPassword, verifyPassword } from "../auth/passwords";
import { endUserSessions } from "../auth/user-sessions";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { AppError, invalidField, notFound } from "../errors";
import { loginThrottle, recordLoginFailure } from "../auth/login-throttle";
import { ZChangePasswordRequest, ZEmail, ZPassword, type ChangePasswordRequest } from "../schemas/users";

/**
 * A person sets a new password, proving the current one (a wrong one counts as a failed login,
 * so a borrowed session cannot guess it). Every other session of theirs ends at once (whoever
 * else held one is out); the session that asked stays signed in.
 */
export async function changeOwnPassword(
  db: DbOrTx,
  actor: UserActor,
  currentSessionId: string | null,
  request: ChangePasswordRequest,
  origin?: RequestOrigin,
): Promise<{ sessionsEnded: number }> {
  const input = ZChangePasswordRequest.parse(request);
  const user = await db.user.findUnique({ where: { id: actor.id }, select: { email: true, passwordHash: true } });
  if (!user) throw notFound("user", actor.id);
  const ip = origin?.ip ?? null;
  const throttle = await loginThrottle(user.email, ip);
  if (throttle)
    throw new AppError("TOO_MANY_REQUESTS", `Too many wrong passwords; try again in ${throttle.seconds} s`, { retryAfterSeconds: throttle.seconds });
  // Someone who signs in only through the identity provider has no password to change.
  if (!user.passwordHash) throw new AppError("CONFLICT", "You sign in through your identity provider; Warden keeps no password for you");
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await recordLoginFailure(user.email, ip);
    throw invalidField("currentPassword", "that is not your current password");
  }
  const passwordHash = await hashPassword(input.newPassword);
  return inTransaction(db, async (tx) => {
    await tx.user.update({ where: { id: actor.id }, data: { passwordHash } });
    const sessionsEnded = await endUserSessions(tx, actor.id, "password_change", { except: currentSessionId });
    await appendAudit(tx, { actor, verb: "user.password_change", subject: { type: "user", id: actor.id }, data: { sessionsEnded }, origin });
    return { sessionsEnded };
  });
}

/** An operator of the machine sets someone's password (`warden user password`): all their sessions end. */
export async function resetPassword(db: DbOrTx, actor: Actor, email: string, password: string): Promise<{ userId: string; sessionsEnded: number }> {
  const address = ZEmail.parse(email);
  const passwordHash = await hashPassword(ZPassword.parse(password));
  return inTransaction(db, async (tx) => {
    const user = await tx.user.findUnique({ where: { email: address }, select: { id: true } });
    if (!user) throw notFound("user", address);
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    const sessionsEnded = await endUserSessions(tx, user.id, "password_change");
    await appendAudit(tx, { actor, verb: "user.password_reset", subject: { type: "user", id: user.id }, data: { email: address, sessionsEnded } });
    return { userId: user.id, sessionsEnded };
  });
}
