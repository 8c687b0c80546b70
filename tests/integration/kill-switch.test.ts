import { apiDispatcher } from "../../server/http/api-routes";
import { handleWebRequest } from "../../server/http/web-adapter";
import { describe, expect, it } from "vitest";
import { actionResultRoute } from "../../server/actions/action-routes";
import { ackRoute, apiControlRoutes, heartbeatRoute, killTokenRoute, rollbackResultRoute, rootControlRoutes } from "../../server/control/control-routes";
import { claimTaskRoute, createTaskRoute } from "../../server/tasks/task-routes";
import { auditRows, call, db, makeUserWithToken, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";
import { sseReader } from "../support/sse";

/** A team of its own per test, so fleet-wide changes by other tests do not interfere. */
async function team(size = 1) {
  const name = unique("team").toLowerCase();
  const tool = await makeTool({ scopes: [] });
  const agents = [];
  for (let i = 0; i < size; i++) {
    const { agent, key } = await makeGrantedAgent([tool.name]);
    await db.agent.update({ where: { id: agent.id }, data: { team: name } });
    agents.push({ agent, key });
  }
  return { name, tool: tool.name, agents };
}

async function executed(key: string, tool: string, action: string, undo?: { tool: string; args: Record<string, unknown> }) {
  const proposed = await propose(key, { tool, action, confidence: 0.99, reversible: Boolean(undo), ...(undo ? { undo } : {}) });
  await call(actionResultRoute, { token: key, params: { id: proposed.json.id }, body: { status: "succeeded" } });
  return proposed.json.id as string;
}

describe("pause, suspend, resume", () => {
  it("after suspend, the very next decision for an agent in scope is deny; resume restores it", async () => {
    const { name, tool, agents } = await team();
    const { key } = agents[0]!;
    const operator = await makeUserWithToken("operator");
    expect((await propose(key, { tool, confidence: 0.99 })).json.decision).toBe("auto_execute");
    const suspended = await call(apiControlRoutes.suspend, { token: operator.token, body: { scope: `team:${name}`, reason: "incident 42" } });
    expect(suspended.status).toBe(200);
    expect(suspended.json).toMatchObject({ state: "suspended", scope: `team:${name}`, agents: 1 });
    const denied = await propose(key, { tool, confidence: 0.99 });
    expect(denied.json).toMatchObject({ decision: "deny", reasons: [{ code: "control_suspended" }] });
    expect(denied.json.reasons[0].message).toContain("incident 42");
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `team:${name}`, reason: "resolved" } });
    expect((await propose(key, { tool, confidence: 0.99 })).json.decision).toBe("auto_execute");
  });

  it("pause allows only actions of tasks in progress; the strictest scope wins", async () => {
    const { name, tool, agents } = await team();
    const { agent, key } = agents[0]!;
    const operator = await makeUserWithToken("operator");
    // A task already under way: this agent holds its lease when the pause comes.
    const capability = unique("cap").toLowerCase();
    await db.agent.update({ where: { id: agent.id }, data: { capabilities: [capability] } });
    await call(createTaskRoute, { token: operator.token, body: { title: "in progress", capability } });
    const held = await call(claimTaskRoute, { token: key, body: {} });
    await call(rootControlRoutes.pause, { token: operator.token, body: { scope: `team:${name}`, reason: "deploy freeze" } });
    expect((await propose(key, { tool, confidence: 0.99 })).json.reasons[0].code).toBe("control_paused");
    expect((await propose(key, { tool, confidence: 0.99, taskId: held.json.task.id })).json.decision).toBe("auto_execute");
    // Naming a task it does not hold does not get it through: it is not this agent's task at all.
    const other = await call(createTaskRoute, { token: operator.token, body: { title: "not started", capability } });
    expect((await propose(key, { tool, confidence: 0.99, taskId: other.json.task.id })).status).toBe(404);
    expect((await propose(key, { tool, confidence: 0.99, taskId: "00000000-0000-4000-8000-000000000001" })).status).toBe(404);
    await call(rootControlRoutes.suspend, { token: operator.token, body: { scope: `agent:${agent.name}`, reason: "misbehaving" } });
    await call(rootControlRoutes.resume, { token: operator.token, body: { scope: `team:${name}`, reason: "freeze over" } });
    const beat = await call(heartbeatRoute, { token: key, body: {} });
    expect(beat.json.control).toMatchObject({ state: "suspended", reason: "misbehaving" });
    await call(rootControlRoutes.resume, { token: operator.token, body: { scope: `agent:${agent.name}`, reason: "ok" } });
    expect((await call(heartbeatRoute, { token: key, body: {} })).json.control.state).toBe("running");
  });

  it("needs an operator's token and a reason", async () => {
    const approver = await makeUserWithToken("approver");
    expect((await call(apiControlRoutes.pause, { token: approver.token, body: { reason: "x" } })).status).toBe(403);
    const operator = await makeUserWithToken("operator");
    const noReason = await call(apiControlRoutes.pause, { token: operator.token, body: { scope: "team:nobody" } });
    expect(noReason.status).toBe(400);
    expect(noReason.json.error.details[0].field).toBe("reason");
    const badScope = await call(apiControlRoutes.pause, { token: operator.token, body: { scope: "galaxy", reason: "x" } });
    expect(badScope.json.error.details[0].field).toBe("scope");
  });

  it("the state is stored: a fresh read (as after a restart) sees it", async () => {
    const { name } = await team();
    const operator = await makeUserWithToken("operator");
    await call(apiControlRoutes.suspend, { token: operator.token, body: { scope: `team:${name}`, reason: "kept" } });
    const row = await db.controlScope.findUniqueOrThrow({ where: { kind_key: { kind: "team", key: name } } });
    expect(row).toMatchObject({ state: "suspended", reason: "kept", changedBy: operator.user.email });
  });
});

describe("acknowledgements and the stream", () => {
  it("every change bumps the epoch; acks record per-agent latency; the stream delivers and replays", async () => {
    const { name, agents } = await team(2);
    const operator = await makeUserWithToken("operator");
    const [first, second] = agents;
    const controller = new AbortController();
    const stream = sseReader(
      await handleWebRequest(
        apiDispatcher(),
        new Request("http://w/api/v1/control/stream", { headers: { authorization: `Bearer ${first!.key}` }, signal: controller.signal }),
      ),
    );
    expect((await stream.next()).data).toMatchObject({ state: "running", current: true });

    const pause = await call(apiControlRoutes.pause, { token: operator.token, body: { scope: `team:${name}`, reason: "p" } });
    const live = await stream.until((e) => e.event === "control");
    expect(live).toMatchObject({ id: String(pause.json.epoch), data: { state: "paused", level: "paused", epoch: pause.json.epoch } });

    const ack = await call(ackRoute, { token: first!.key, body: { epoch: pause.json.epoch } });
    expect(ack.json).toEqual({ ackedEpoch: pause.json.epoch, acknowledged: 1 });
    const acks = await db.controlAck.findMany({ where: { epoch: BigInt(pause.json.epoch) } });
    expect(acks.map((a) => a.agentId)).toEqual([first!.agent.id]);
    expect(acks[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    const event = await db.controlEvent.findUniqueOrThrow({ where: { epoch: BigInt(pause.json.epoch) } });
    expect(event.targetAgents.sort()).toEqual([first!.agent.id, second!.agent.id].sort());
    expect((await call(ackRoute, { token: first!.key, body: { epoch: 10 ** 12 } })).status).toBe(400);
    controller.abort();

    // While disconnected, a resume happens; reconnecting from the last id replays it.
    const resume = await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `team:${name}`, reason: "r" } });
    const again = sseReader(
      await handleWebRequest(
        apiDispatcher(),
        new Request("http://w/api/v1/control/stream", { headers: { authorization: `Bearer ${first!.key}`, "last-event-id": String(pause.json.epoch) } }),
      ),
    );
    const replayed = await again.next();
    expect(replayed).toMatchObject({ id: String(resume.json.epoch), event: "control", data: { level: "running", replayed: true } });
    expect((await again.next()).data).toMatchObject({ state: "running", current: true });
    await again.close();
  });
});

describe("acknowledgements at once", () => {
  it("twenty agents acknowledging together are all stored, each once", async () => {
    const { name, agents } = await team(20);
    const operator = await makeUserWithToken("operator");
    const pause = await call(apiControlRoutes.pause, { token: operator.token, body: { scope: `team:${name}`, reason: "burst" } });
    const answers = await Promise.all(agents.map((a) => call(ackRoute, { token: a.key, body: { epoch: pause.json.epoch } })));
    expect(answers.every((a) => a.status === 200 && a.json.acknowledged === 1)).toBe(true);
    expect(await db.controlAck.count({ where: { epoch: BigInt(pause.json.epoch) } })).toBe(20);
    const again = await call(ackRoute, { token: agents[0]!.key, body: { epoch: pause.json.epoch } });
    expect(again.json).toEqual({ ackedEpoch: pause.json.epoch, acknowledged: 0 });
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `team:${name}`, reason: "ok" } });
  });
});

describe("kill", () => {
  it("the plan holds only reversible executed actions, newest first; the kill sends their undo orders", async () => {
    const { name, tool, agents } = await team();
    const { key } = agents[0]!;
    const operator = await makeUserWithToken("operator");
    const a1 = await executed(key, tool, "scale web to 3", { tool, args: { replicas: 2 } });
    const irreversible = await executed(key, tool, "send the newsletter");
    const a2 = await executed(key, tool, "scale web to 4", { tool, args: { replicas: 3 } });
    await propose(key, { tool, action: "pending thing", confidence: 0.2 }); // not executed: not in the plan

    const issued = await call(killTokenRoute, { token: operator.token, body: { scope: `team:${name}`, rollbackLast: 10 } });
    expect(issued.status).toBe(201);
    expect(issued.json.token).toMatch(/^KILL-\d{4}-\d{2}-\d{2}-[a-z0-9]{6}$/);
    expect(issued.json.rollbackPlan.map((p: { actionId: string }) => p.actionId)).toEqual([a2, a1]);
    expect(issued.json.irreversible.map((p: { actionId: string }) => p.actionId)).toEqual([irreversible]);

    await call(heartbeatRoute, { token: key, body: {} }); // online: its orders are sent, not left for a person
    const stream = sseReader(
      await handleWebRequest(apiDispatcher(), new Request("http://w/api/v1/control/stream", { headers: { authorization: `Bearer ${key}` } })),
    );
    await stream.next();
    const killed = await call(rootControlRoutes.kill, { token: operator.token, body: { confirm: issued.json.token } });
    expect(killed.json).toMatchObject({ state: "killed" });
    expect(killed.status).toBe(200);
    expect(killed.json).toMatchObject({ state: "killed", rollbacks: 2 });
    expect((await propose(key, { tool, confidence: 0.99 })).json.reasons[0].code).toBe("control_killed");

    const first = await stream.until((e) => e.event === "rollback");
    expect(first.data).toMatchObject({ actionId: a2, position: 0, undo: { args: { replicas: 3 } } });
    const second = await stream.until((e) => e.event === "rollback");
    expect(second.data.actionId).toBe(a1);
    await stream.close();
    const done = await call(rollbackResultRoute, { token: key, params: { id: String(first.data.rollbackId) }, body: { status: "succeeded" } });
    expect(done.json.status).toBe("succeeded");
    expect((await db.action.findUniqueOrThrow({ where: { id: a2 } })).status).toBe("rolled_back");
    await call(rootControlRoutes.resume, { token: operator.token, body: { scope: `team:${name}`, reason: "after the kill" } });
  });

  it("undo orders for an offline agent wait as awaiting manual rollback", async () => {
    const { name, tool, agents } = await team();
    const { agent, key } = agents[0]!;
    await executed(key, tool, "open port 8080", { tool, args: { port: 8080, open: false } });
    await db.agent.update({ where: { id: agent.id }, data: { lastSeenAt: new Date(Date.now() - 10 * 60_000) } });
    const operator = await makeUserWithToken("operator");
    const issued = await call(killTokenRoute, { token: operator.token, body: { scope: `agent:${agent.name}` } });
    await call(apiControlRoutes.kill, { token: operator.token, body: { confirm: issued.json.token } });
    const rollbacks = await db.rollback.findMany({ where: { agentId: agent.id } });
    expect(rollbacks.map((r) => r.status)).toEqual(["awaiting_manual"]);
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `agent:${agent.name}`, reason: "done" } });
    expect(await db.controlScope.findUniqueOrThrow({ where: { kind_key: { kind: "team", key: name } } }).catch(() => null)).toBeNull();
  });

  it("a wrong, reused, expired, other operator's or other scope's token is refused, changes nothing, and is audited", async () => {
    const { name, agents } = await team();
    const { agent } = agents[0]!;
    const operator = await makeUserWithToken("operator");
    const other = await makeUserWithToken("operator");
    const kill = (token: string, body: Record<string, unknown>) => call(apiControlRoutes.kill, { token, body });
    const stateOf = async () => (await db.controlScope.findUnique({ where: { kind_key: { kind: "team", key: name } } }))?.state ?? "running";

    expect((await kill(operator.token, { confirm: "KILL-2026-01-01-abcdef" })).status).toBe(403);

    const othersToken = (await call(killTokenRoute, { token: other.token, body: { scope: `team:${name}` } })).json.token;
    expect((await kill(operator.token, { confirm: othersToken })).status).toBe(403);

    const mine = (await call(killTokenRoute, { token: operator.token, body: { scope: `team:${name}` } })).json.token;
    const wrongScope = await kill(operator.token, { confirm: mine, scope: `agent:${agent.name}` });
    expect(wrongScope.status).toBe(403);
    expect(wrongScope.json.error.message).toContain(`team:${name}`);

    const expiring = (await call(killTokenRoute, { token: operator.token, body: { scope: `team:${name}` } })).json.token;
    await db.killToken.updateMany({
      where: { userId: operator.user.id, usedAt: null, expiresAt: { gt: new Date() } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await kill(operator.token, { confirm: expiring })).status).toBe(403);
    expect(await stateOf()).toBe("running");

    const fresh = (await call(killTokenRoute, { token: operator.token, body: { scope: `team:${name}` } })).json.token;
    expect((await kill(operator.token, { confirm: fresh })).status).toBe(200);
    expect(await stateOf()).toBe("killed");
    const reused = await kill(operator.token, { confirm: fresh });
    expect(reused.status).toBe(403);
    expect(reused.json.error.message).toMatch(/already used/);

    const refusals = await auditRows({ verb: "control.kill_refused" });
    const reasons = refusals.filter((r) => r.actorId === operator.user.id).map((r) => (r.data as { why: string }).why);
    expect(reasons).toEqual([
      "the confirmation token is not one Warden issued",
      "the token was issued to another operator",
      `the token is for team:${name}, not agent:${agent.name}`,
      "the token expired (tokens last two minutes)",
      "the token was already used",
    ]);
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `team:${name}`, reason: "test over" } });
  });
});

describe("automatic pauses", () => {
  it("the programmatic trigger pauses one agent with its reason, audited as the system", async () => {
    const { pauseAgentAutomatically } = await import("../../server/control/change-control");
    const { tool, agents } = await team();
    const { agent, key } = agents[0]!;
    const change = await pauseAgentAutomatically(db, agent, "budget");
    expect(change).toMatchObject({ state: "paused", reason: "budget", targetAgents: [agent.id] });
    expect(await pauseAgentAutomatically(db, agent, "budget")).toBeNull();
    const denied = await propose(key, { tool, confidence: 0.99 });
    expect(denied.json.reasons[0]).toMatchObject({ code: "control_paused" });
    expect(denied.json.reasons[0].message).toContain("budget");
    const audit = await auditRows({ verb: "control.pause", subjectId: `agent:${agent.id}` });
    expect(audit[0]).toMatchObject({ actorType: "system", data: expect.objectContaining({ reason: "budget", automatic: true }) });
  });
});

describe("approvals under the kill switch", () => {
  it("a suspend ends the scope's pending approvals: expired with the reason, the agent told, nothing left to approve", async () => {
    const { approveRoute } = await import("../../server/approvals/approval-routes");
    const { getActionRoute } = await import("../../server/actions/action-routes");
    const { name, tool, agents } = await team(2);
    const operator = await makeUserWithToken("operator");
    const approver = await makeUserWithToken("approver");
    const first = await propose(agents[0]!.key, { tool, confidence: 0.3, action: "docker rm cache" });
    const second = await propose(agents[1]!.key, { tool, confidence: 0.3, action: "docker rm cache" });
    const suspended = await call(apiControlRoutes.suspend, { token: operator.token, body: { scope: `team:${name}`, reason: "incident 7" } });
    expect(suspended.status).toBe(200);
    for (const [pending, key] of [
      [first, agents[0]!.key],
      [second, agents[1]!.key],
    ] as const) {
      const seen = await call(getActionRoute, { token: key, params: { id: pending.json.id } });
      expect(seen.json).toMatchObject({ status: "expired", reason: `team ${name} suspended: incident 7` });
      const approved = await call(approveRoute, { token: approver.token, params: { id: pending.json.id }, body: {} });
      expect(approved.status).toBe(409);
    }
    const expiries = await auditRows({ verb: "action.expire", subjectId: first.json.id });
    expect(expiries[0]!.data).toMatchObject({ by: "control.suspended" });
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `team:${name}`, reason: "ok" } });
  });

  it("a pause leaves pending approvals to the approvers", async () => {
    const { approveRoute } = await import("../../server/approvals/approval-routes");
    const { name, tool, agents } = await team();
    const operator = await makeUserWithToken("operator");
    const approver = await makeUserWithToken("approver");
    const pending = await propose(agents[0]!.key, { tool, confidence: 0.3, action: "docker rm cache" });
    await call(apiControlRoutes.pause, { token: operator.token, body: { scope: `team:${name}`, reason: "freeze" } });
    expect((await call(approveRoute, { token: approver.token, params: { id: pending.json.id }, body: {} })).status).toBe(200);
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `team:${name}`, reason: "ok" } });
  });
});
