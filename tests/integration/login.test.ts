import { describe, expect, it } from "vitest";
import { loginWithPassword } from "../../server/auth/login";
import { MAX_EMAIL_DELAY_SECONDS, emailDelaySeconds } from "../../server/auth/login-throttle";
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

  it("a burst of failures from many addresses never locks the owner out of an address with none", async () => {
    const user = await makeUser("viewer");
    const burst = `10.200.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < env.WARDEN_LOGIN_MAX_FAILURES * 4; i++) {
      expect(await loginWithPassword(db, { email: user.email, password: `guess-${i}` }, `${burst}.${i}`)).toEqual({ ok: false, reason: "invalid" });
    }
    // The owner, at an address that did not take part, signs in at once.
    expect((await loginWithPassword(db, { email: user.email, password: TEST_PASSWORD }, "10.201.0.1")).ok).toBe(true);
    // An address of the burst waits for the account's delay (seconds, not the lock's minutes).
    const again = await loginWithPassword(db, { email: user.email, password: TEST_PASSWORD }, `${burst}.3`);
    expect(again).toMatchObject({ ok: false, reason: "throttled" });
    if (!again.ok && again.reason === "throttled") expect(again.retryAfterSeconds).toBeLessThanOrEqual(MAX_EMAIL_DELAY_SECONDS);
    expect((await auditRows({ verb: "auth.login_throttled", actorLabel: user.email }))[0]!.data).toMatchObject({ limit: "email" });
  });

  it("the account's delay grows with its failures and stops at a minute", () => {
    const free = env.WARDEN_LOGIN_MAX_FAILURES;
    const delays = Array.from({ length: 12 }, (_, i) => emailDelaySeconds(free + i));
    expect(delays.slice(0, 6)).toEqual([0, 2, 4, 8, 16, 32]);
    expect(delays.slice(6)).toEqual(Array(6).fill(MAX_EMAIL_DELAY_SECONDS));
  });

  it("each address gets its own free attempts on an account under attack", async () => {
    const user = await makeUser("viewer");
    const net = `10.202.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < env.WARDEN_LOGIN_MAX_FAILURES * 2; i++) await loginWithPassword(db, { email: user.email, password: `guess-${i}` }, `${net}.${i}`);
    // A fresh address's wrong password is checked (and refused as wrong, not throttled) ...
    expect(await loginWithPassword(db, { email: user.email, password: "typo" }, `${net}.200`)).toEqual({ ok: false, reason: "invalid" });
    // ... and from then on it waits like the rest.
    expect(await loginWithPassword(db, { email: user.email, password: TEST_PASSWORD }, `${net}.200`)).toMatchObject({ reason: "throttled" });
  });

  it("refuses a deactivated person", async () => {
    const user = await makeUser("viewer");
    await db.user.update({ where: { id: user.id }, data: { active: false } });
    expect((await loginWithPassword(db, { email: user.email, password: TEST_PASSWORD }, "10.0.0.4")).ok).toBe(false);
  });
});
