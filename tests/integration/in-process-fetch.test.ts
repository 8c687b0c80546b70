import { describe, expect, it } from "vitest";
import { Warden, WardenApiError } from "../../sdk/src";
import { inProcessFetch } from "../../server/http/web-adapter";
import { apiDispatcher } from "../../server/http/api-routes";
import { db } from "../support/fixtures";
import { makeGrantedAgent, makeTool } from "../support/guardrail-fixtures";

// What /api/mcp gives the SDK: the API's route handlers, called in the process.
const apiFetch = inProcessFetch(apiDispatcher());

describe("the SDK on the in-process fetch", () => {
  it("reaches the routes with their path parameters, and each route's frame (auth, validation, errors)", async () => {
    const tool = await makeTool({ scopes: ["staging/*"] });
    const { key } = await makeGrantedAgent([tool.name], ["staging/*"]);
    const warden = new Warden({ url: "http://warden.internal", key, fetch: apiFetch, retries: 0 });

    const decision = await warden.guard({ action: "restart web", tool: tool.name, resource: "staging/web", confidence: 0.99, args: { n: 1 } });
    expect(decision).toMatchObject({ decision: "auto_execute", status: "approved", approvedArgs: { n: 1 } });
    expect(await decision.run((args) => ({ ran: args.n }))).toEqual({ ran: 1 });
    // GET /api/v1/actions/{id}: the path parameter reached the route.
    expect((await warden.actions.get(decision.actionId)).status).toBe("succeeded");
    expect((await db.action.findUniqueOrThrow({ where: { id: decision.actionId } })).output).toEqual({ ran: 1 });

    const outside = await warden.guard({ action: "restart db", tool: tool.name, resource: "production/db", confidence: 0.99 });
    expect(outside).toMatchObject({ status: "denied", reasons: [{ code: "resource_out_of_scope" }] });

    const revoked = new Warden({ url: "http://warden.internal", key: "wdn_agent_revoked-or-never-issued", fetch: apiFetch, retries: 0 });
    await expect(revoked.memory.recall("anything")).rejects.toMatchObject({ status: 401, code: "unauthorized" });
    const unknown = await apiFetch("http://warden.internal/api/v1/nothing-here", { method: "GET" });
    expect(unknown.status).toBe(404);
    await expect(warden.actions.get("00000000-0000-4000-8000-000000000009")).rejects.toBeInstanceOf(WardenApiError);
  });
});
