import { describe, expect, it } from "vitest";
import { createCaller } from "../../server/api/root";
import { loginWithPassword } from "../../server/auth/login";
import { signOutSession } from "../../server/auth/sign-out";
import { liveSessionUser } from "../../server/auth/user-sessions";
import { eventStreamResponse } from "../../server/events/event-stream";
import { changeOwnPassword, resetPassword } from "../../server/users/change-password";
import { changeUserRole, setUserActive } from "../../server/users/manage-users";
import { sseReader } from "../support/sse";
import { TEST_PASSWORD, auditRows, db, makeUser, unique } from "../support/fixtures";

async function signIn(email: string, ip = "10.50.0.1"): Promise<string> {
  const result = await loginWithPassword(db, { email, password: TEST_PASSWORD }, ip);
  if (!result.ok) throw new Error(`sign-in failed: ${result.reason}`);
  return result.sessionId;
}

describe("sessions end when they should, for every reader", () => {
  it("a sign-in starts a session row that names its person and address", async () => {
    const user = await makeUser("approver");
    const sessionId = await signIn(user.email, "10.50.1.1");
    expect(await liveSessionUser(db, sessionId)).toEqual({ type: "user", id: user.id, label: user.email, role: "approver" });
    expect(await db.userSession.findUniqueOrThrow({ where: { id: sessionId } })).toMatchObject({ userId: user.id, ip: "10.50.1.1", endedAt: null });
    expect((await auditRows({ verb: "auth.login", subjectId: user.id }))[0]!.data).toMatchObject({ sessionId });
  });

  it("signing out ends that session (a copied cookie is worthless) and no other", async () => {
    const user = await makeUser("viewer");
    const [laptop, phone] = [await signIn(user.email), await signIn(user.email)];
    await signOutSession(db, laptop);
    expect(await liveSessionUser(db, laptop)).toBeNull();
    expect(await liveSessionUser(db, phone)).not.toBeNull();
    await signOutSession(db, laptop); // twice: recorded once
    expect(await auditRows({ verb: "auth.sign_out", subjectId: user.id })).toHaveLength(1);
    expect(await db.userSession.findUniqueOrThrow({ where: { id: laptop } })).toMatchObject({ endReason: "sign_out" });
  });

  it("a role change ends every session of the person", async () => {
    const admin = await makeUser("admin");
    const user = await makeUser("operator");
    const sessions = [await signIn(user.email), await signIn(user.email)];
    await changeUserRole(db, admin, user.id, "viewer");
    for (const id of sessions) expect(await liveSessionUser(db, id)).toBeNull();
    expect((await auditRows({ verb: "user.role_change", subjectId: user.id }))[0]!.data).toMatchObject({ sessionsEnded: 2 });
    // Signed in again, the new role is what the session carries.
    expect(await liveSessionUser(db, await signIn(user.email))).toMatchObject({ role: "viewer" });
  });

  it("deactivation ends every session of the person", async () => {
    const admin = await makeUser("admin");
    const user = await makeUser("approver");
    const sessionId = await signIn(user.email);
    await setUserActive(db, admin, user.id, false);
    expect(await liveSessionUser(db, sessionId)).toBeNull();
    await setUserActive(db, admin, user.id, true);
    // Reactivating does not bring an ended session back.
    expect(await liveSessionUser(db, sessionId)).toBeNull();
  });

  it("a new password ends every other session and keeps the one that set it", async () => {
    const user = await makeUser("viewer");
    const [here, elsewhere] = [await signIn(user.email), await signIn(user.email)];
    const caller = createCaller({ db, user, sessionId: here, ip: "10.50.2.1" });
    await expect(caller.users.changePassword({ currentPassword: "not it", newPassword: "a new password 1234" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await liveSessionUser(db, elsewhere)).not.toBeNull();
    expect(await caller.users.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "a new password 1234" })).toEqual({ sessionsEnded: 1 });
    expect(await liveSessionUser(db, elsewhere)).toBeNull();
    expect(await liveSessionUser(db, here)).not.toBeNull();
    expect((await loginWithPassword(db, { email: user.email, password: "a new password 1234" }, "10.50.2.2")).ok).toBe(true);
    expect(await auditRows({ verb: "user.password_change", subjectId: user.id })).toHaveLength(1);
  });

  it("wrong current passwords count as failed logins: a borrowed session cannot guess on", async () => {
    const user = await makeUser("viewer");
    const sessionId = await signIn(user.email);
    const ip = `10.51.${Math.floor(Math.random() * 250)}.1`;
    for (let i = 0; i < 5; i++) {
      await expect(changeOwnPassword(db, user, sessionId, { currentPassword: `guess-${i}`, newPassword: "whatever password 1" }, { ip })).rejects.toThrow();
    }
    await expect(changeOwnPassword(db, user, sessionId, { currentPassword: TEST_PASSWORD, newPassword: "whatever password 1" }, { ip })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
    });
  });

  it("a password set from the command line ends every session", async () => {
    const user = await makeUser("operator");
    const sessionId = await signIn(user.email);
    expect(await resetPassword(db, { type: "system", id: null, label: "warden-cli" }, user.email, "reset password 12345")).toMatchObject({ sessionsEnded: 1 });
    expect(await liveSessionUser(db, sessionId)).toBeNull();
  });

  it("an expired session, or one that is not a session id, is nobody", async () => {
    const user = await makeUser("viewer");
    const sessionId = await signIn(user.email);
    await db.userSession.update({ where: { id: sessionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await liveSessionUser(db, sessionId)).toBeNull();
    expect(await liveSessionUser(db, "not-a-uuid")).toBeNull();
  });

  it("an open event stream closes within a second of its session ending, saying why", async () => {
    const admin = await makeUser("admin");
    const user = await makeUser("viewer");
    const sessionId = await signIn(user.email);
    const other = await makeUser("viewer");
    const otherSession = await signIn(other.email);
    const open = (id: string, userId: string) =>
      sseReader(
        eventStreamResponse(new AbortController().signal, {
          format: (event) => ({ event: event.type, data: event }),
          stillAllowed: {
            check: async () => (await liveSessionUser(db, id)) !== null,
            affectedBy: (event) => event.type === "sessions.ended" && event.userId === userId,
            farewell: { event: "session.ended", data: {} },
          },
        }),
      );
    const stream = open(sessionId, user.id);
    const bystander = open(otherSession, other.id);
    try {
      const started = Date.now();
      await setUserActive(db, admin, user.id, false);
      await stream.until((e) => e.event === "session.ended", 1000);
      expect(Date.now() - started).toBeLessThan(1000);
      await expect(stream.next(1000)).rejects.toThrow("the stream ended");
      // Another person's stream stays open (it sees the event, and its own session is live).
      await bystander.until((e) => e.event === "sessions.ended" && e.data.userId === user.id, 1000);
      await expect(bystander.next(300)).rejects.toThrow("no event arrived in time");
    } finally {
      await stream.close();
      await bystander.close();
    }
  });
});

describe("the session id in a cookie is only a lookup key", () => {
  it("a made-up session id is nobody", async () => {
    expect(await liveSessionUser(db, unique("x"))).toBeNull();
    expect(await liveSessionUser(db, "00000000-0000-4000-8000-000000000000")).toBeNull();
  });
});
