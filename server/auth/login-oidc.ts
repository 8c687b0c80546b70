import { appendAudit } from "../audit/append-audit";
import type { DbOrTx, Tx } from "../db/client";
import type { Role } from "../db/generated/enums";
import { inTransaction } from "../db/transaction";
import type { OidcSettings } from "../env";
import { ZEmail } from "../schemas/users";
import { escapeUnsafeText } from "../schemas/safe-json";
import { isUniqueViolation } from "../http/validation";
import { emailDomainAllowed, roleFromClaim } from "./oidc-rules";
import { endUserSessions, startSession } from "./user-sessions";

/** What Warden reads of the provider's ID token (and userinfo), as next-auth hands it over. */
export type OidcProfile = Record<string, unknown> & { sub?: unknown; email?: unknown; email_verified?: unknown; name?: unknown };

export type OidcLoginResult =
  | { ok: true; user: { id: string; email: string; name: string | null; role: Role | null }; sessionId: string }
  | { ok: false; reason: "no_email" | "domain" | "deactivated" | "other_identity" };

type Rules = Pick<OidcSettings, "issuer" | "allowedDomains" | "roleClaim" | "roleMap">;

/**
 * A person the company's identity provider vouched for (next-auth checked the ID token's
 * signature, issuer, audience and nonce). Warden checks the email and its domain, finds or
 * creates the person, applies the role the provider's claim maps to (when a mapping is
 * configured, at every sign-in), refuses a deactivated person, and starts a session row with
 * its `auth.login` audit row in one transaction, exactly as a password sign-in does.
 *
 * A new person without a mapped role gets none: they see the waiting page until an admin grants
 * one in Settings → Users.
 */
export async function loginWithOidc(db: DbOrTx, rules: Rules, profile: OidcProfile, ip: string | null): Promise<OidcLoginResult> {
  const parsedEmail = ZEmail.safeParse(profile.email);
  const subject = typeof profile.sub === "string" && profile.sub.length > 0 ? `${rules.issuer}#${profile.sub}` : null;
  const label = parsedEmail.success ? parsedEmail.data : escapeUnsafeText(String(profile.email ?? "(no email)").slice(0, 254));
  const anonymous = { type: "anonymous" as const, id: null, label };
  const refuse = async (reason: Exclude<OidcLoginResult, { ok: true }>["reason"], why: string, user?: { id: string; email: string; role: Role | null }) => {
    await appendAudit(db, {
      actor: user ? { type: "user", id: user.id, label: user.email, role: user.role } : anonymous,
      verb: "auth.login_failed",
      subject: user ? { type: "user", id: user.id } : undefined,
      data: { email: label, method: "oidc", reason: why },
      origin: { ip },
    });
    return { ok: false as const, reason };
  };

  // An address the provider has not verified proves nothing about who holds it.
  if (!parsedEmail.success || !subject || profile.email_verified === false) return refuse("no_email", "no verified email from the provider");
  const email = parsedEmail.data;
  if (!emailDomainAllowed(email, rules.allowedDomains)) return refuse("domain", "email domain not allowed");
  const mappedRole = rules.roleClaim ? roleFromClaim(profile[rules.roleClaim], rules.roleMap) : undefined;
  const name = typeof profile.name === "string" ? escapeUnsafeText(profile.name.trim().slice(0, 100)) || null : null;

  // Two first sign-ins of one person at once: one creates them, the other's insert hits the
  // unique email and runs again, finding them.
  const outcome = await retryOnUniqueViolation(() => signInTransaction(db, { subject, email, name, mappedRole, ip }));

  if (outcome.refused) {
    const why = outcome.refused === "deactivated" ? "user deactivated" : "email already belongs to another identity of the provider";
    return refuse(outcome.refused, why, outcome.user);
  }
  return { ok: true, user: outcome.user, sessionId: outcome.sessionId };
}

async function retryOnUniqueViolation<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return run();
  }
}

type Claimed = { subject: string; email: string; name: string | null; mappedRole: Role | null | undefined; ip: string | null };

/** Finds or creates the person, applies the mapped role, and starts the session, in one transaction. */
function signInTransaction(db: DbOrTx, { subject, email, name, mappedRole, ip }: Claimed) {
  return inTransaction(db, async (tx) => {
    const existing = await lockPerson(tx, subject, email);
    if (existing && existing.oidcSubject && existing.oidcSubject !== subject) return { refused: "other_identity" as const, user: existing };
    if (existing && !existing.active) return { refused: "deactivated" as const, user: existing };

    let user: { id: string; email: string; name: string | null; role: Role | null };
    if (!existing) {
      user = await tx.user.create({
        data: { email, name, role: mappedRole ?? null, passwordHash: null, oidcSubject: subject, lastLoginAt: new Date() },
        select: { id: true, email: true, name: true, role: true },
      });
      await appendAudit(tx, {
        actor: { type: "user", id: user.id, label: user.email, role: user.role },
        verb: "user.create",
        subject: { type: "user", id: user.id },
        data: { email, role: user.role, method: "oidc" },
        origin: { ip },
      });
    } else {
      // With a mapping the provider decides the role at every sign-in: leaving `warden-admins`
      // there takes admin away here. The last active admin keeps it (Warden must keep one).
      let role = existing.role;
      let sessionsEnded = 0;
      if (mappedRole !== undefined && mappedRole !== existing.role && !(existing.role === "admin" && (await isLastActiveAdmin(tx, existing.id)))) {
        role = mappedRole;
        sessionsEnded = await endUserSessions(tx, existing.id, "role_change");
        await appendAudit(tx, {
          actor: { type: "system", id: null, label: "identity provider" },
          verb: "user.role_change",
          subject: { type: "user", id: existing.id },
          data: { email, from: existing.role, to: role, sessionsEnded, by: "oidc claim" },
          origin: { ip },
        });
      }
      user = await tx.user.update({
        where: { id: existing.id },
        data: { role, oidcSubject: subject, lastLoginAt: new Date(), ...(existing.name ? {} : { name }) },
        select: { id: true, email: true, name: true, role: true },
      });
    }
    const sessionId = await startSession(tx, user.id, ip);
    await appendAudit(tx, {
      actor: { type: "user", id: user.id, label: user.email, role: user.role },
      verb: "auth.login",
      subject: { type: "user", id: user.id },
      data: { sessionId, method: "oidc", role: user.role },
      origin: { ip },
    });
    return { refused: null, user, sessionId };
  });
}

/**
 * The person this identity signed in as before, else the one with its email (a person an admin
 * created, or the first admin, signing in through the provider for the first time). Locked, so
 * two sign-ins at once apply one after the other.
 */
async function lockPerson(tx: Tx, subject: string, email: string) {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM users WHERE oidc_subject = ${subject} OR email = ${email}
    ORDER BY (oidc_subject = ${subject}) DESC NULLS LAST LIMIT 1 FOR UPDATE`;
  const id = rows[0]?.id;
  return id ? tx.user.findUniqueOrThrow({ where: { id }, select: { id: true, email: true, name: true, role: true, active: true, oidcSubject: true } }) : null;
}

async function isLastActiveAdmin(tx: Tx, userId: string): Promise<boolean> {
  return (await tx.user.count({ where: { role: "admin", active: true, id: { not: userId } } })) === 0;
}
