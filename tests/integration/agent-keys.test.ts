import { describe, expect, it } from "vitest";
import { createAgentRoute, issueAgentKeyRoute, revokeAgentKeyRoute } from "../../server/agents/agent-routes";
import { setAgentActive } from "../../server/agents/agent-keys";
import { meRoute } from "../../server/auth/me-route";
import { revokeApiToken } from "../../server/users/api-tokens";
import { changeUserRole } from "../../server/users/manage-users";
import { auditRows, call, db, makeUser, makeUserWithToken, unique } from "../support/fixtures";

describe("agent keys", () => {
  it("a key works once created and stops working the moment it is revoked", async () => {
    const { token } = await makeUserWithToken("admin");
    const name = unique("ops");
    const created = await call(createAgentRoute, {
      token,
      body: { name, role: "specialist", team: "ops", capabilities: ["restart"], tools: ["docker.restart"], scopes: ["staging/*"] },
    });
    expect(created.status).toBe(201);
    const key: string = created.json.key.secret;
    expect(key.startsWith("wdn_agent_")).toBe(true);

    const me = await call(meRoute, { token: key });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ type: "agent", agent: { name, team: "ops", scopes: ["staging/*"] } });

    const stored = await db.agentKey.findUniqueOrThrow({ where: { id: created.json.key.id } });
    expect(stored.keyHash).not.toContain(key.slice(10));
    expect(stored.lastUsedAt).not.toBeNull();

    const revoked = await call(revokeAgentKeyRoute, { token, params: { id: created.json.key.id } });
    expect(revoked.status).toBe(200);
    expect(revoked.json.key.revokedAt).not.toBeNull();

    const after = await call(meRoute, { token: key });
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe("unauthorized");
    expect(await auditRows({ verb: "agent.key.revoke", subjectId: created.json.key.id })).toHaveLength(1);
  });

  it("a rotated key works beside the old one; deactivating the agent revokes both", async () => {
    const admin = await makeUserWithToken("admin");
    const created = await call(createAgentRoute, { token: admin.token, body: { name: unique("dev"), role: "specialist", team: "dev" } });
    const rotated = await call(issueAgentKeyRoute, { token: admin.token, params: { id: created.json.agent.id }, body: { name: "rotation" } });
    expect(rotated.status).toBe(201);
    expect((await call(meRoute, { token: created.json.key.secret })).status).toBe(200);
    expect((await call(meRoute, { token: rotated.json.secret })).status).toBe(200);

    await setAgentActive(db, admin.user, created.json.agent.id, false);
    expect((await call(meRoute, { token: created.json.key.secret })).status).toBe(401);
    expect((await call(meRoute, { token: rotated.json.secret })).status).toBe(401);
  });

  it("unknown and malformed keys get 401", async () => {
    expect((await call(meRoute, { token: "wdn_agent_not-a-real-key" })).status).toBe(401);
    expect((await call(meRoute, { token: "garbage" })).status).toBe(401);
    expect((await call(meRoute)).status).toBe(401);
  });

  it("a lead's subordinate must name a lead as parent", async () => {
    const admin = await makeUser("admin");
    const { token } = await makeUserWithToken("admin");
    const specialist = await call(createAgentRoute, { token, body: { name: unique("s"), role: "specialist", team: "ops" } });
    const child = await call(createAgentRoute, {
      token,
      body: { name: unique("c"), role: "specialist", team: "ops", parentId: specialist.json.agent.id },
    });
    expect(child.status).toBe(400);
    expect(child.json.error.details).toEqual([{ field: "parentId", message: "the parent must be a lead agent" }]);
    expect(admin.role).toBe("admin");
  });

  it("a personal token is shown once and stored hashed, and revoking it stops it", async () => {
    const { user, token } = await makeUserWithToken("viewer");
    expect((await call(meRoute, { token })).json).toMatchObject({ type: "user", user: { id: user.id, role: "viewer" } });
    const [stored] = await db.apiToken.findMany({ where: { userId: user.id } });
    expect(stored!.tokenHash).not.toContain(token);
    await revokeApiToken(db, { type: "user", id: user.id, label: user.email, role: "viewer" }, stored!.id);
    expect((await call(meRoute, { token })).status).toBe(401);
  });

  it("a key revoked behind Warden's back (no announcement) is refused within a second: the cache's bound", async () => {
    const { user, token } = await makeUserWithToken("viewer");
    expect((await call(meRoute, { token })).status).toBe(200);
    await db.apiToken.updateMany({ where: { userId: user.id }, data: { revokedAt: new Date() } });
    const revokedAt = Date.now();
    let status = 200;
    // When the first refusing call was sent, and how long the call before it took (on a busy
    // machine a call can take a while: the bound is on the cache, not on the machine).
    let refusedCallSentAt = 0;
    let previousCallMs = 0;
    while (status === 200 && Date.now() - revokedAt < 3_000) {
      refusedCallSentAt = Date.now();
      status = (await call(meRoute, { token })).status;
      if (status === 200) {
        previousCallMs = Date.now() - refusedCallSentAt;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    expect(status).toBe(401);
    expect(refusedCallSentAt - revokedAt).toBeLessThan(1_000 + previousCallMs + 50);
  });

  it("a person's new role applies to their token at once (the role is announced)", async () => {
    const { user, token } = await makeUserWithToken("operator");
    expect((await call(meRoute, { token })).json.user.role).toBe("operator");
    const admin = await makeUser("admin");
    await changeUserRole(db, admin, user.id, "viewer");
    expect((await call(meRoute, { token })).json.user.role).toBe("viewer");
  });
});
