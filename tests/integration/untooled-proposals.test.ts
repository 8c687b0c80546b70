import { describe, expect, it } from "vitest";
import { Warden } from "../../sdk/src";
import { actionResultRoute, getActionRoute, proposeActionRoute } from "../../server/actions/action-routes";
import { listApprovalsRoute } from "../../server/approvals/approval-routes";
import { apiControlRoutes } from "../../server/control/control-routes";
import { inProcessFetch } from "../../server/http/web-adapter";
import { apiDispatcher } from "../../server/http/api-routes";
import { call, db, makeUserWithToken, unique } from "../support/fixtures";
import { makeGrantedAgent } from "../support/guardrail-fixtures";

/** The seed's call as the Python client sends it: an action and a confidence, no tool. */
function check(key: string, action: string, confidence: number, extra: Record<string, unknown> = {}) {
  return call(proposeActionRoute, { token: key, body: { action, confidence, ...extra } });
}
const codes = (json: { reasons: { code: string }[] }) => json.reasons.map((r) => r.code);

describe("a proposal without a tool", () => {
  it('`check("docker restart traefik", 0.82)` is accepted, recorded with no tool, and runs with a notification', async () => {
    const { key } = await makeGrantedAgent([]);
    const action = `docker restart traefik-${unique("t").slice(2)}`;
    const response = await check(key, action, 0.82);
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ decision: "execute_with_notification", status: "approved", approvedArgs: {} });
    // (A lesson another suite recorded on docker restarts may add matching_failure: the suites share one database.)
    expect(codes(response.json)).toEqual(expect.arrayContaining(["no_tool", "confidence_execute_with_notification"]));
    expect(response.json.reasons[0].message).toContain("No tool was named");
    const view = await call(getActionRoute, { token: key, params: { id: response.json.id } });
    expect(view.json).toMatchObject({ tool: null, action, decision: "execute_with_notification" });
    const [audit] = await db.auditLog.findMany({ where: { subjectId: response.json.id, verb: "action.propose" } });
    expect(audit!.data).toMatchObject({
      tool: null,
      decision: "execute_with_notification",
      reasons: expect.arrayContaining(["no_tool", "confidence_execute_with_notification"]),
    });
    expect(await db.notification.count({ where: { actionId: response.json.id } })).toBe(1);
  });

  it("goes no further than the policy's cap at 0.99, and waits below the threshold", async () => {
    const { key } = await makeGrantedAgent([]);
    expect((await check(key, `rotate logs ${unique("l")}`, 0.99)).json.decision).toBe("execute_with_notification");
    expect((await check(key, `rotate logs ${unique("l")}`, 0.5)).json).toMatchObject({ decision: "require_approval", approval: { requiredApprovals: 1 } });
  });

  it("is held by the patterns", async () => {
    const { key } = await makeGrantedAgent([]);
    const response = await check(key, `docker  rm cache-${unique("c").slice(2)}`, 0.99);
    expect(response.json.decision).toBe("require_approval");
    expect(codes(response.json)).toContain("always_requires_approval");
    // The inbox lists it (with no tool) beside the others.
    const { token } = await makeUserWithToken("approver");
    const inbox = await call(listApprovalsRoute, { token, query: { status: "pending", limit: "200" } });
    expect(inbox.status).toBe(200);
    expect(inbox.json.items.find((i: { id: string }) => i.id === response.json.id)).toMatchObject({ tool: null });
  });

  it("learns from a failure like any other action: the next similar one is handed the lesson", async () => {
    const a = await makeGrantedAgent([]);
    const b = await makeGrantedAgent([]);
    // Words no other suite uses: the lesson is shared, and the suites share one database.
    const service = `quasar${unique("x").slice(2).replace(/-/g, "")}`;
    const first = await check(a.key, `recycle ${service}`, 0.82);
    const lesson = `The ${service} config had invalid YAML: validate it before restarting.`;
    const reported = await call(actionResultRoute, { token: a.key, params: { id: first.json.id }, body: { status: "failed", failureReason: lesson } });
    expect(reported.status).toBe(200);
    const second = await check(b.key, `recycle the ${service}`, 0.99);
    expect(second.json.recalled[0]).toMatchObject({ kind: "negative_knowledge", body: lesson });
    expect(codes(second.json)).toEqual(expect.arrayContaining(["no_tool", "matching_failure"]));
  });

  it("is refused for a lead and for a suspended agent, and a named resource stays within the agent's scopes", async () => {
    const lead = await makeGrantedAgent([], [], { role: "lead" });
    expect((await check(lead.key, "restart web", 0.99)).json).toMatchObject({ decision: "deny", reasons: [{ code: "lead_cannot_execute" }] });

    const scoped = await makeGrantedAgent([], ["staging/*"]);
    expect((await check(scoped.key, "restart web", 0.9, { resource: "staging/web" })).json.decision).toBe("execute_with_notification");
    expect((await check(scoped.key, "restart db", 0.9, { resource: "production/db" })).json).toMatchObject({
      decision: "deny",
      reasons: [{ code: "resource_out_of_scope" }],
    });

    const operator = await makeUserWithToken("operator");
    await call(apiControlRoutes.suspend, { token: operator.token, body: { scope: `agent:${scoped.agent.name}`, reason: "drill" } });
    expect((await check(scoped.key, "restart web", 0.99)).json).toMatchObject({ decision: "deny", reasons: [{ code: "control_suspended" }] });
  });

  it("the SDK's check(action, confidence) works as written", async () => {
    const { key } = await makeGrantedAgent([]);
    const warden = new Warden({ url: "http://warden.internal", key, fetch: inProcessFetch(apiDispatcher()), retries: 0 });
    const decision = await warden.check(`docker restart traefik-${unique("s").slice(2)}`, 0.82);
    expect(decision).toMatchObject({ decision: "execute_with_notification", status: "approved" });
    expect(decision.reasons.map((r) => r.code)).toContain("no_tool");
    expect(await decision.run(() => ({ restarted: true }))).toEqual({ restarted: true });
    expect((await warden.actions.get(decision.actionId)).status).toBe("succeeded");
  });
});
