import { describe, expect, it } from "vitest";
import { actionResultRoute } from "../../server/actions/action-routes";
import { pauseAgentAutomatically } from "../../server/control/change-control";
import { ackRoute, apiControlRoutes, killTokenRoute } from "../../server/control/control-routes";
import { controlEventDetail, controlHistory } from "../../server/control/control-overview";
import { call, db, makeUserWithToken, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

/** A team of its own, so fleet-wide changes by other test files do not interfere. */
async function team() {
  const name = unique("levels").toLowerCase();
  const tool = await makeTool({ scopes: [] });
  const { agent, key } = await makeGrantedAgent([tool.name]);
  await db.agent.update({ where: { id: agent.id }, data: { team: name } });
  return { name, tool: tool.name, agent, key };
}

const stateOf = async (kind: "team" | "agent", key: string) => (await db.controlScope.findUnique({ where: { kind_key: { kind, key } } }))?.state ?? "running";

describe("control levels are ordered: kill > suspend > pause > running", () => {
  it("a lower level sent to a stricter scope, its own or inherited, changes nothing and is a 409 naming the state; resume lowers", async () => {
    const { name, agent } = await team();
    const operator = await makeUserWithToken("operator");
    const change = (level: "pause" | "suspend" | "resume", scope: string) =>
      call(apiControlRoutes[level], { token: operator.token, body: { scope, reason: `${level} drill` } });

    expect((await change("suspend", `team:${name}`)).status).toBe(200);
    const paused = await change("pause", `team:${name}`);
    expect(paused.status).toBe(409);
    expect(paused.json.error.message).toContain(`team:${name} is suspended`);
    expect(paused.json.error.details).toEqual({ state: "suspended", scope: `team:${name}` });
    expect(await stateOf("team", name)).toBe("suspended");

    // The agent inherits its team's suspension: pausing the agent would change nothing either.
    const agentPause = await change("pause", `agent:${agent.name}`);
    expect(agentPause.status).toBe(409);
    expect(agentPause.json.error.message).toContain(`team:${name} is suspended`);
    expect(await stateOf("agent", agent.id)).toBe("running");

    // The same level again is allowed (a new reason); a stricter one too.
    expect((await change("suspend", `team:${name}`)).status).toBe(200);
    expect((await change("suspend", `agent:${agent.name}`)).status).toBe(200);

    expect((await change("resume", `team:${name}`)).status).toBe(200);
    expect((await change("resume", `agent:${agent.name}`)).status).toBe(200);
    expect((await change("pause", `team:${name}`)).status).toBe(200);
    expect(await stateOf("team", name)).toBe("paused");
    await change("resume", `team:${name}`);
  });

  it("a kill is never downgraded: pause and suspend after a kill are refused and the agent stays killed", async () => {
    const { name, tool, key } = await team();
    const operator = await makeUserWithToken("operator");
    const issued = await call(killTokenRoute, { token: operator.token, body: { scope: `team:${name}`, rollbackLast: 0 } });
    expect((await call(apiControlRoutes.kill, { token: operator.token, body: { confirm: issued.json.token } })).status).toBe(200);
    for (const level of ["pause", "suspend"] as const) {
      const refused = await call(apiControlRoutes[level], { token: operator.token, body: { scope: `team:${name}`, reason: "oops" } });
      expect(refused.status).toBe(409);
      expect(refused.json.error.details.state).toBe("killed");
    }
    expect((await propose(key, { tool, confidence: 0.99 })).json.reasons[0].code).toBe("control_killed");
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `team:${name}`, reason: "over" } });
  });

  it("an automatic (budget) pause of an agent whose team is suspended does nothing and does not fail", async () => {
    const { name, agent } = await team();
    const operator = await makeUserWithToken("operator");
    await call(apiControlRoutes.suspend, { token: operator.token, body: { scope: `team:${name}`, reason: "incident" } });
    expect(await pauseAgentAutomatically(db, agent, "budget")).toBeNull();
    expect(await stateOf("agent", agent.id)).toBe("running");
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `team:${name}`, reason: "over" } });
  });
});

describe("the kill plan follows the operator", () => {
  it("a token issued again with another rollback count voids the earlier one; the kill runs the plan shown last", async () => {
    const { name, tool, key } = await team();
    const operator = await makeUserWithToken("operator");
    for (const n of [1, 2, 3]) {
      const proposed = await propose(key, { tool, action: `scale web to ${n}`, confidence: 0.99, reversible: true, undo: { tool, args: { replicas: n - 1 } } });
      await call(actionResultRoute, { token: key, params: { id: proposed.json.id }, body: { status: "succeeded" } });
    }
    const ten = await call(killTokenRoute, { token: operator.token, body: { scope: `team:${name}`, rollbackLast: 10 } });
    expect(ten.json.rollbackPlan).toHaveLength(3);
    const one = await call(killTokenRoute, { token: operator.token, body: { scope: `team:${name}`, rollbackLast: 1 } });
    expect(one.json.rollbackPlan).toHaveLength(1);

    const stale = await call(apiControlRoutes.kill, { token: operator.token, body: { confirm: ten.json.token } });
    expect(stale.status).toBe(403);
    expect(stale.json.error.message).toContain("a newer token replaced it");
    expect(await stateOf("team", name)).toBe("running");

    const killed = await call(apiControlRoutes.kill, { token: operator.token, body: { confirm: one.json.token } });
    expect(killed.status).toBe(200);
    expect(killed.json.rollbacks).toBe(1);
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `team:${name}`, reason: "over" } });
  });
});

describe("acknowledged M of N", () => {
  it("N is the agents connected when the change was made; an offline one is listed apart and acknowledges when it connects", async () => {
    const name = unique("ack").toLowerCase();
    const tool = await makeTool({ scopes: [] });
    const agents = [];
    for (let i = 0; i < 3; i++) {
      const made = await makeGrantedAgent([tool.name]);
      await db.agent.update({ where: { id: made.agent.id }, data: { team: name, lastSeenAt: i < 2 ? new Date() : null } });
      agents.push(made);
    }
    const operator = await makeUserWithToken("operator");
    const suspended = await call(apiControlRoutes.suspend, { token: operator.token, body: { scope: `team:${name}`, reason: "drill" } });
    const epoch = suspended.json.epoch as number;
    for (const { key } of agents.slice(0, 2)) await call(ackRoute, { token: key, body: { epoch } });

    const detail = (await controlEventDetail(db, epoch))!;
    expect(detail.agents.filter((a) => !a.offline)).toHaveLength(2);
    expect(detail.agents.filter((a) => a.offline).map((a) => a.id)).toEqual([agents[2]!.agent.id]);
    const row = (await controlHistory(db, 200)).find((e) => e.epoch === epoch)!;
    expect({ acked: row.acked, targets: row.targets }).toEqual({ acked: 2, targets: 2 });

    // The offline agent connects later and acknowledges: it shows as such, and "2 of 2" stays complete.
    await call(ackRoute, { token: agents[2]!.key, body: { epoch } });
    const later = (await controlEventDetail(db, epoch))!;
    expect(later.agents.find((a) => a.offline)!.ackedAt).not.toBeNull();
    const after = (await controlHistory(db, 200)).find((e) => e.epoch === epoch)!;
    expect({ acked: after.acked, targets: after.targets }).toEqual({ acked: 2, targets: 2 });
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `team:${name}`, reason: "over" } });
  });
});

describe("what an attacker tried against the kill switch", () => {
  it("a second kill does not order again an undo an earlier kill already ordered", async () => {
    const { name, tool, agent, key } = await team();
    const operator = await makeUserWithToken("operator");
    const proposed = await propose(key, { tool, action: "scale web to 4", confidence: 0.99, reversible: true, undo: { tool, args: { replicas: 3 } } });
    await call(actionResultRoute, { token: key, params: { id: proposed.json.id }, body: { status: "succeeded" } });
    const first = await call(killTokenRoute, { token: operator.token, body: { scope: `agent:${agent.name}`, rollbackLast: 5 } });
    expect(first.json.rollbackPlan).toHaveLength(1);
    await call(apiControlRoutes.kill, { token: operator.token, body: { confirm: first.json.token } });
    const second = await call(killTokenRoute, { token: operator.token, body: { scope: `team:${name}`, rollbackLast: 5 } });
    expect(second.json.rollbackPlan).toHaveLength(0);
    await call(apiControlRoutes.kill, { token: operator.token, body: { confirm: second.json.token } });
    expect(await db.rollback.count({ where: { actionId: proposed.json.id } })).toBe(1);
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `team:${name}`, reason: "over" } });
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `agent:${agent.name}`, reason: "over" } });
  });

  it("a pending approval that landed after a suspend's own sweep is expired by the next sweep, with the reason", async () => {
    const { expireOverdueApprovals } = await import("../../server/approvals/decide-approval");
    const { name, tool, key } = await team();
    const pending = await propose(key, { tool, action: "rotate keys", confidence: 0.2 });
    // The suspend as it looks when a proposal read "running" just before it: state set, this
    // pending action left behind.
    await db.controlScope.create({ data: { kind: "team", key: name, state: "suspended", reason: "race", epoch: 0, changedBy: "test", changedAt: new Date() } });
    await expireOverdueApprovals(db);
    expect(await db.action.findUniqueOrThrow({ where: { id: pending.json.id } })).toMatchObject({ status: "expired", reason: "suspended: race" });
    await db.controlScope.delete({ where: { kind_key: { kind: "team", key: name } } });
  });
});
