import { describe, expect, it } from "vitest";
import { loginWithPassword } from "../../server/auth/login";
import { env } from "../../server/env";
import { TEST_PASSWORD, auditRows, db, makeUser, unique } from "../support/fixtures";

describe("password login", () => {
  it("accepts the right password and audits the login", async () => {
    const user = await makeUser("viewer");
    const result = await loginWithPassword(db, { email: user.email, password: TEST_PASSWORD }, "10.0.0.1");
    expect(result.ok).toBe(true);
    const rows = await auditRows({ verb: "auth.login", subjectId: user.id });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.ip).toBe("10.0.0.1");
  });

  it("refuses a wrong password and audits the failure with its reason", async () => {
    const user = await makeUser("viewer");
    const result = await loginWithPassword(db, { email: user.email, password: "not the password" }, "10.0.0.2");
    expect(result).toEqual({ ok: false, reason: "invalid" });
    const rows = await auditRows({ verb: "auth.login_failed", subjectId: user.id });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.data).toMatchObject({ email: user.email, reason: "wrong password" });
  });

  it("refuses an unknown email the same way, and audits it too", async () => {
    const email = `${unique("nobody")}@example.test`;
    const result = await loginWithPassword(db, { email, password: "whatever-password" }, "10.0.0.3");
    expect(result).toEqual({ ok: false, reason: "invalid" });
    const rows = await auditRows({ verb: "auth.login_failed", actorLabel: email });
    expect(rows[0]!.data).toMatchObject({ reason: "unknown email" });
  });

  it("throttles repeated failures: after the limit even the right password waits", async () => {
    const user = await makeUser("approver");
    const ip = `10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < env.WARDEN_LOGIN_MAX_FAILURES; i++) {
      expect((await loginWithPassword(db, { email: user.email, password: `wrong-${i}` }, ip)).ok).toBe(false);
    }
    const blocked = await loginWithPassword(db, { email: user.email, password: TEST_PASSWORD }, ip);
    expect(blocked.ok).toBe(false);
    expect(blocked).toMatchObject({ reason: "throttled" });
    if (!blocked.ok && blocked.reason === "throttled") expect(blocked.retryAfterSeconds).toBeGreaterThan(0);
    expect(await auditRows({ verb: "auth.login_throttled", actorLabel: user.email })).toHaveLength(1);
    // Another address is not locked out by this one's failures.
    expect((await loginWithPassword(db, { email: user.email, password: TEST_PASSWORD }, "10.9.9.9")).ok).toBe(true);
  });

  it("a script forging a new address for every guess is still stopped (per-email limit)", async () => {
    const user = await makeUser("viewer");
    for (let i = 0; i < env.WARDEN_LOGIN_MAX_FAILURES * 4; i++) {
      await loginWithPassword(db, { email: user.email, password: `guess-${i}` }, `10.200.${i}.1`);
    }
    const next = await loginWithPassword(db, { email: user.email, password: TEST_PASSWORD }, "10.201.0.1");
    expect(next).toMatchObject({ ok: false, reason: "throttled" });
  });

  it("refuses a deactivated person", async () => {
    const user = await makeUser("viewer");
    await db.user.update({ where: { id: user.id }, data: { active: false } });
    expect((await loginWithPassword(db, { email: user.email, password: TEST_PASSWORD }, "10.0.0.4")).ok).toBe(false);
  });
});
