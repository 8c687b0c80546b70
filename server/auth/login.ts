import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import type { Role } from "../db/generated/enums";
import { escapeUnsafeText } from "../schemas/safe-json";
import { ZEmail } from "../schemas/users";
import { clearLoginFailures, loginLockedForSeconds, recordLoginFailure } from "./login-throttle";
import { dummyPasswordHash, verifyPassword } from "./passwords";

export type LoginResult =
  | { ok: true; user: { id: string; email: string; name: string | null; role: Role } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/**
 * Email + password check behind next-auth's credentials provider. Every outcome is audited;
 * failures are counted per account and address, and once over the limit the password is not
 * even checked until the lock passes.
 */
export async function loginWithPassword(
  db: DbOrTx,
  credentials: { email?: unknown; password?: unknown },
  ip: string | null,
): Promise<LoginResult> {
  const parsedEmail = ZEmail.safeParse(credentials.email);
  // Not an email: kept only as the audit row's label, with NUL and lone surrogates escaped (the
  // database cannot store them; a hostile sign-in must fail as "invalid", not as a 500).
  const email = parsedEmail.success ? parsedEmail.data : escapeUnsafeText(String(credentials.email ?? "").slice(0, 254));
  const password = typeof credentials.password === "string" ? credentials.password.slice(0, 200) : "";
  const anonymous = { type: "anonymous" as const, id: null, label: email || "(no email)" };

  const lockedFor = await loginLockedForSeconds(email, ip);
  if (lockedFor > 0) {
    await appendAudit(db, {
      actor: anonymous,
      verb: "auth.login_throttled",
      data: { email, retryAfterSeconds: lockedFor },
      origin: { ip },
    });
    return { ok: false, reason: "throttled", retryAfterSeconds: lockedFor };
  }

  const user = parsedEmail.success ? await db.user.findUnique({ where: { email } }) : null;
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
  if (!user || !passwordOk || !user.active) {
    await recordLoginFailure(email, ip);
    const why = !user ? "unknown email" : !passwordOk ? "wrong password" : "user deactivated";
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
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  await appendAudit(db, {
    actor: { type: "user", id: user.id, label: user.email, role: user.role },
    verb: "auth.login",
    subject: { type: "user", id: user.id },
    origin: { ip },
  });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}
