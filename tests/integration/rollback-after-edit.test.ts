import { describe, expect, it } from "vitest";
import { Warden } from "../../sdk/src";
import { actionResultRoute } from "../../server/actions/action-routes";
import { approveRoute } from "../../server/approvals/approval-routes";
import { apiControlRoutes, killTokenRoute } from "../../server/control/control-routes";
import { inProcessFetch } from "../../server/http/web-adapter";
import { apiDispatcher } from "../../server/http/api-routes";
import { call, db, makeUserWithToken, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

/** An agent alone in a team of its own, so its kill touches nothing else. */
async function loneAgent() {
  const team = unique("edit").toLowerCase();
  const tool = await makeTool({ scopes: [] });
  const { agent, key } = await makeGrantedAgent([tool.name]);
  await db.agent.update({ where: { id: agent.id }, data: { team, lastSeenAt: new Date() } });
  return { team, tool: tool.name, agent, key };
}

type PlanItem = { actionId: string; undo: { args: Record<string, unknown> } | null; note?: string };

describe("the rollback follows what ran", () => {
  it("an undo registered with the proposal, whose args an approver then edited, is listed for a human, never run as it stands", async () => {
    const { team, tool, key } = await loneAgent();
    const approver = await makeUserWithToken("approver");
    const operator = await makeUserWithToken("operator");
    const proposed = await propose(key, {
      tool,
      action: "restart web",
      args: { container: "web" },
      confidence: 0.5,
      reversible: true,
      undo: { tool, args: { container: "web", revert: true } },
    });
    const approved = await call(approveRoute, { token: approver.token, params: { id: proposed.json.id }, body: { args: { container: "web-canary" } } });
    expect(approved.json).toMatchObject({ status: "approved", approvedArgs: { container: "web-canary" } });
    await call(actionResultRoute, { token: key, params: { id: proposed.json.id }, body: { status: "succeeded" } });

    const plan = await call(killTokenRoute, { token: operator.token, body: { scope: `team:${team}`, rollbackLast: 5 } });
    expect((plan.json.rollbackPlan as PlanItem[]).map((p) => p.actionId)).not.toContain(proposed.json.id);
    const manual = (plan.json.irreversible as PlanItem[]).find((p) => p.actionId === proposed.json.id)!;
    expect(manual.note).toMatch(/args edited after the undo was registered/);

    const killed = await call(apiControlRoutes.kill, { token: operator.token, body: { confirm: plan.json.token } });
    expect(killed.json.rollbacks).toBe(0);
    expect(await db.rollback.count({ where: { actionId: proposed.json.id } })).toBe(0); // web, which nobody touched, is left alone
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `team:${team}`, reason: "over" } });
  });

  it("an undo sent with the result replaces the proposal's: the kill undoes the container that ran", async () => {
    const { team, tool, key } = await loneAgent();
    const approver = await makeUserWithToken("approver");
    const operator = await makeUserWithToken("operator");
    const proposed = await propose(key, {
      tool,
      action: "restart web",
      args: { container: "web" },
      confidence: 0.5,
      reversible: true,
      undo: { tool, args: { container: "web", revert: true } },
    });
    await call(approveRoute, { token: approver.token, params: { id: proposed.json.id }, body: { args: { container: "web-canary" } } });
    const reported = await call(actionResultRoute, {
      token: key,
      params: { id: proposed.json.id },
      body: { status: "succeeded", undo: { tool, args: { container: "web-canary", revert: true } } },
    });
    expect(reported.status).toBe(200);

    const plan = await call(killTokenRoute, { token: operator.token, body: { scope: `team:${team}`, rollbackLast: 5 } });
    expect(plan.json.rollbackPlan as PlanItem[]).toEqual([
      expect.objectContaining({ actionId: proposed.json.id, undo: { tool, args: { container: "web-canary", revert: true } } }),
    ]);
    await call(apiControlRoutes.kill, { token: operator.token, body: { confirm: plan.json.token } });
    const order = await db.rollback.findFirstOrThrow({ where: { actionId: proposed.json.id } });
    expect(order.undo).toEqual({ tool, args: { container: "web-canary", revert: true } });
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `team:${team}`, reason: "over" } });
  });

  it("the SDK's tool computes the undo again from the args the approver edited, and sends it with the result", async () => {
    const { team, tool, agent, key } = await loneAgent();
    const approver = await makeUserWithToken("approver");
    const operator = await makeUserWithToken("operator");
    const warden = new Warden({ url: "http://warden.internal", key, fetch: inProcessFetch(apiDispatcher()), retries: 0 });
    const restart = warden.tool({ name: tool, reversible: true, undo: (args) => ({ tool, args: { container: args.container, revert: true } }) }, (args) => ({
      restarted: args.container,
    }));

    const running = restart({ container: "web" }, { confidence: 0.5 });
    let pending = null;
    for (let i = 0; i < 100 && !pending; i++) {
      pending = await db.action.findFirst({ where: { agentId: agent.id, status: "pending_approval" } });
      if (!pending) await new Promise((r) => setTimeout(r, 50));
    }
    await call(approveRoute, { token: approver.token, params: { id: pending!.id }, body: { args: { container: "web-canary" } } });
    expect((await running).output).toEqual({ restarted: "web-canary" });

    const plan = await call(killTokenRoute, { token: operator.token, body: { scope: `team:${team}`, rollbackLast: 5 } });
    expect((plan.json.rollbackPlan as PlanItem[])[0]!.undo).toEqual({ tool, args: { container: "web-canary", revert: true } });
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `team:${team}`, reason: "not killed" } }).catch(() => undefined);
    await warden.close();
  });
});
