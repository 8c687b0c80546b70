import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { createAgentRoute, listAgentsRoute } from "../../server/agents/agent-routes";
import { createCaller } from "../../server/api/root";
import { call, db, makeUser, makeUserWithToken, unique } from "../support/fixtures";

function callerFor(user: Awaited<ReturnType<typeof makeUser>> | null) {
  return createCaller({ db, user, ip: "127.0.0.1" });
}

describe("roles are checked on the server", () => {
  it("a viewer calling an admin procedure gets FORBIDDEN", async () => {
    const viewer = await makeUser("viewer");
    const error = await callerFor(viewer)
      .users.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("FORBIDDEN");
    const create = await callerFor(viewer)
      .agents.create({ name: unique("x"), role: "specialist", team: "ops" })
      .catch((e: unknown) => e);
    expect((create as TRPCError).code).toBe("FORBIDDEN");
  });

  it("nobody signed in gets UNAUTHORIZED", async () => {
    const error = await callerFor(null)
      .agents.list()
      .catch((e: unknown) => e);
    expect((error as TRPCError).code).toBe("UNAUTHORIZED");
  });

  it("an operator cannot reach admin procedures but can read the audit log", async () => {
    const operator = await makeUser("operator");
    await expect(callerFor(operator).users.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(operator).audit.list({ limit: 5 })).resolves.toHaveProperty("rows");
  });

  it("a viewer's personal token calling an admin route gets 403 and nothing is created", async () => {
    const { token } = await makeUserWithToken("viewer");
    const name = unique("blocked");
    const response = await call(createAgentRoute, { token, body: { name, role: "specialist", team: "ops" } });
    expect(response.status).toBe(403);
    expect(response.json.error.code).toBe("forbidden");
    expect(await db.agent.count({ where: { name } })).toBe(0);
    // …while the same token may read what viewers may read.
    expect((await call(listAgentsRoute, { token })).status).toBe(200);
  });

  it("an agent key cannot call a people-only route", async () => {
    const admin = await makeUserWithToken("admin");
    const created = await call(createAgentRoute, { token: admin.token, body: { name: unique("a"), role: "specialist", team: "ops" } });
    const response = await call(listAgentsRoute, { token: created.json.key.secret });
    expect(response.status).toBe(403);
  });

  it("the role is read at each request: a demoted admin's token stops working for admin routes", async () => {
    const { user, token } = await makeUserWithToken("admin");
    await db.user.update({ where: { id: user.id }, data: { role: "viewer" } });
    const response = await call(createAgentRoute, { token, body: { name: unique("late"), role: "specialist", team: "ops" } });
    expect(response.status).toBe(403);
  });
});
