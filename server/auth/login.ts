import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import type { Role } from "../db/generated/enums";
import { inTransaction } from "../db/transaction";
import { escapeUnsafeText } from "../schemas/safe-json";
import { ZEmail } from "../schemas/users";
import { clearLoginFailures, loginThrottle, recordLoginFailure } from "./login-throttle";
import { dummyPasswordHash, verifyPassword } from "./passwords";
import { startSession } from "./user-sessions";

export type LoginResult =
  | { ok: true; user: { id: string; email: string; name: string | null; role: Role | null }; sessionId: string }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/**
 * Email + password check behind next-auth's credentials provider. Every outcome is audited;
 * failures are counted per account, address and email (login-throttle.ts), and an attempt a
 * limit holds back is refused without checking the password. Success starts a session row,
 * which the cookie names.
 */
export async function loginWithPassword(db: DbOrTx, credentials: { email?: unknown; password?: unknown }, ip: string | null): Promise<LoginResult> {
  const parsedEmail = ZEmail.safeParse(credentials.email);
  // Not an email: kept only as the audit row's label, with NUL and lone surrogates escaped (the
  // database cannot store them; a hostile sign-in must fail as "invalid", not as a 500).
  const email = parsedEmail.success ? parsedEmail.data : escapeUnsafeText(String(credentials.email ?? "").slice(0, 254));
  const password = typeof credentials.password === "string" ? credentials.password.slice(0, 200) : "";
  const anonymous = { type: "anonymous" as const, id: null, label: email || "(no email)" };

  const throttle = await loginThrottle(email, ip);
  if (throttle) {
    await appendAudit(db, {
      actor: anonymous,
      verb: "auth.login_throttled",
      data: { email, retryAfterSeconds: throttle.seconds, limit: throttle.limit },
      origin: { ip },
    });
    return { ok: false, reason: "throttled", retryAfterSeconds: throttle.seconds };
  }

  const user = parsedEmail.success ? await db.user.findUnique({ where: { email } }) : null;
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
  if (!user || !passwordOk || !user.active) {
    await recordLoginFailure(email, ip);
    const why = !user
      ? "unknown email"
      : !user.passwordHash
        ? "no password (signs in through the identity provider)"
        : !passwordOk
          ? "wrong password"
          : "user deactivated";
    await appendAudit(db, {
      actor: user ? { type: "user", id: user.id, label: user.email, role: user.role } : anonymous,
      verb: "auth.login_failed",
      subject: user ? { type: "user", id: user.id } : undefined,
      data: { email, reason: why },
      origin: { ip },
    });
    return { ok: false, reason: "invalid" };
  }

  await clearLoginFailures(email, ip);
  const sessionId = await inTransaction(db, async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    const id = await startSession(tx, user.id, ip);
    await appendAudit(tx, {
      actor: { type: "user", id: user.id, label: user.email, role: user.role },
      verb: "auth.login",
      subject: { type: "user", id: user.id },
      data: { sessionId: id },
      origin: { ip },
    });
    return id;
  });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role }, sessionId };
}
