import { describe, expect, it } from "vitest";
import { loginWithOidc, type OidcProfile } from "../../server/auth/login-oidc";
import { loginWithPassword } from "../../server/auth/login";
import { parseRoleMap } from "../../server/auth/oidc-rules";
import { signOutSession } from "../../server/auth/sign-out";
import { liveSessionPerson, liveSessionUser } from "../../server/auth/user-sessions";
import { authenticateBearer } from "../../server/auth/authenticate-bearer";
import { createApiToken } from "../../server/users/api-tokens";
import { changeUserRole, setUserActive } from "../../server/users/manage-users";
import { auditRows, db, makeUser, unique } from "../support/fixtures";

const ISSUER = "https://idp.example.test";
const roleMap = (parseRoleMap("warden-admins:admin,warden-ops:operator") as { map: Map<string, "admin" | "operator"> }).map;
const NO_MAPPING = { issuer: ISSUER, allowedDomains: ["corp.example"], roleClaim: null, roleMap: new Map() };
const MAPPING = { ...NO_MAPPING, roleClaim: "groups", roleMap };

function person(overrides: Partial<OidcProfile> = {}): OidcProfile {
  const sub = unique("sub");
  return { sub, email: `${sub}@corp.example`, email_verified: true, name: "Ana Example", ...overrides };
}

describe("signing in through the identity provider", () => {
  it("a new person gets no role: a live session that grants nothing, audited as an oidc login", async () => {
    const profile = person();
    const result = await loginWithOidc(db, NO_MAPPING, profile, "10.60.0.1");
    if (!result.ok) throw new Error(result.reason);
    expect(result.user).toMatchObject({ email: profile.email, role: null, name: "Ana Example" });
    expect(await liveSessionUser(db, result.sessionId)).toBeNull();
    expect(await liveSessionPerson(db, result.sessionId)).toMatchObject({ id: result.user.id, role: null });
    const [login] = await auditRows({ verb: "auth.login", subjectId: result.user.id });
    expect(login!.data).toMatchObject({ sessionId: result.sessionId, method: "oidc" });
    expect(await auditRows({ verb: "user.create", subjectId: result.user.id })).toHaveLength(1);
    // An admin grants a role (Settings → Users): that ends the waiting session; the next sign-in has the role.
    await changeUserRole(db, await makeUser("admin"), result.user.id, "approver");
    expect(await liveSessionPerson(db, result.sessionId)).toBeNull();
    const again = await loginWithOidc(db, NO_MAPPING, profile, "10.60.0.1");
    expect(again.ok && (await liveSessionUser(db, again.sessionId))).toMatchObject({ role: "approver" });
  });

  it("a role-less person's tokens carry nothing", async () => {
    const result = await loginWithOidc(db, NO_MAPPING, person(), null);
    if (!result.ok) throw new Error(result.reason);
    const token = await createApiToken(db, { type: "user", id: result.user.id, label: result.user.email, role: "viewer" }, "sneaky");
    expect(await authenticateBearer(db, token.secret)).toBeNull();
  });

  it("the claim maps the role, at every sign-in, and a role change ends the other sessions", async () => {
    const profile = person({ groups: ["staff", "warden-ops"] });
    const first = await loginWithOidc(db, MAPPING, profile, null);
    if (!first.ok) throw new Error(first.reason);
    expect(await liveSessionUser(db, first.sessionId)).toMatchObject({ role: "operator" });
    const promoted = await loginWithOidc(db, MAPPING, { ...profile, groups: ["warden-admins", "warden-ops"] }, null);
    if (!promoted.ok) throw new Error(promoted.reason);
    expect(await liveSessionUser(db, promoted.sessionId)).toMatchObject({ role: "admin" });
    expect(await liveSessionUser(db, first.sessionId)).toBeNull();
    expect((await auditRows({ verb: "user.role_change", subjectId: first.user.id }))[0]!.data).toMatchObject({
      from: "operator",
      to: "admin",
      by: "oidc claim",
    });
    // Leaving every mapped group takes the role away.
    await makeUser("admin"); // so this one is not the last active admin
    const dropped = await loginWithOidc(db, MAPPING, { ...profile, groups: ["staff"] }, null);
    expect(dropped.ok && dropped.user.role).toBeNull();
  });

  it("two first sign-ins of one person at once: both get in, as one person", async () => {
    const profile = person();
    const results = await Promise.all([loginWithOidc(db, NO_MAPPING, profile, null), loginWithOidc(db, NO_MAPPING, profile, null)]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await db.user.count({ where: { email: profile.email as string } })).toBe(1);
  });

  it("refuses an email domain that is not allowed, audited, and creates nobody", async () => {
    const profile = person({ email: `${unique("eve")}@evil.example` });
    expect(await loginWithOidc(db, NO_MAPPING, profile, "10.60.0.9")).toEqual({ ok: false, reason: "domain" });
    expect(await db.user.findUnique({ where: { email: profile.email as string } })).toBeNull();
    expect((await auditRows({ verb: "auth.login_failed", actorLabel: profile.email as string }))[0]!.data).toMatchObject({
      method: "oidc",
      reason: "email domain not allowed",
    });
  });

  it("refuses an email the provider has not verified", async () => {
    expect(await loginWithOidc(db, NO_MAPPING, person({ email_verified: false }), null)).toEqual({ ok: false, reason: "no_email" });
    expect(await loginWithOidc(db, NO_MAPPING, person({ email: undefined }), null)).toEqual({ ok: false, reason: "no_email" });
  });

  it("refuses a deactivated person", async () => {
    const profile = person();
    const first = await loginWithOidc(db, NO_MAPPING, profile, null);
    if (!first.ok) throw new Error(first.reason);
    await setUserActive(db, await makeUser("admin"), first.user.id, false);
    expect(await loginWithOidc(db, NO_MAPPING, profile, null)).toEqual({ ok: false, reason: "deactivated" });
  });

  it("links a person an admin created by email, once; another subject with that email is refused", async () => {
    const existing = await makeUser("approver");
    const email = existing.email;
    const allowAny = { ...NO_MAPPING, allowedDomains: [] };
    const linked = await loginWithOidc(db, allowAny, person({ email }), null);
    expect(linked.ok && linked.user).toMatchObject({ id: existing.id, role: "approver" });
    expect(await loginWithOidc(db, allowAny, person({ email }), null)).toEqual({ ok: false, reason: "other_identity" });
  });

  it("signing out ends the provider's session like a password one; such a person cannot sign in with a password", async () => {
    const profile = person();
    const result = await loginWithOidc(db, NO_MAPPING, profile, null);
    if (!result.ok) throw new Error(result.reason);
    await signOutSession(db, result.sessionId);
    expect(await liveSessionPerson(db, result.sessionId)).toBeNull();
    expect(await loginWithPassword(db, { email: profile.email, password: "" }, "10.60.0.2")).toEqual({ ok: false, reason: "invalid" });
  });
});
