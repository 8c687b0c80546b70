import { describe, expect, it } from "vitest";
import { proposeActionRoute } from "../../server/actions/action-routes";
import { rejectRoute } from "../../server/approvals/approval-routes";
import { auditRows, call, db, makeUserWithToken } from "../support/fixtures";
import { makeGrantedAgent, makeTool } from "../support/guardrail-fixtures";

async function agentWithTool() {
  const tool = await makeTool({ scopes: [] });
  const { agent, key } = await makeGrantedAgent([tool.name]);
  return { tool: tool.name, agent, key };
}

const ask = (key: string, body: Record<string, unknown>) => call(proposeActionRoute, { token: key, body });

describe("one agent cannot put the same request in the inbox twice", () => {
  it("asking again while it waits answers 200 with the request already pending, and is audited", async () => {
    const { tool, agent, key } = await agentWithTool();
    const body = { action: "drop the session cache", tool, args: { keys: "session:*" }, confidence: 0.3 };
    const first = await ask(key, body);
    expect(first.status).toBe(201);
    const again = await ask(key, body);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.json.id, status: "pending_approval", repeated: true, approval: { expiresAt: first.json.approval.expiresAt } });
    expect(await db.action.count({ where: { agentId: agent.id } })).toBe(1);
    expect(await auditRows({ verb: "action.propose_repeated", subjectId: first.json.id })).toHaveLength(1);

    // Other args are another request.
    const other = await ask(key, { ...body, args: { keys: "cache:*" } });
    expect(other.status).toBe(201);
    expect(other.json.id).not.toBe(first.json.id);
  });

  it("ten identical proposals at once leave one request in the inbox, and every caller gets its id", async () => {
    const { tool, agent, key } = await agentWithTool();
    const body = { action: "rotate the signing key", tool, args: { key: "jwt" }, confidence: 0.2 };
    const answers = await Promise.all(Array.from({ length: 10 }, () => ask(key, body)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.json.id)).size).toBe(1);
    expect(await db.action.count({ where: { agentId: agent.id, status: "pending_approval" } })).toBe(1);
  });

  it("once the request is decided, asking again is a new request", async () => {
    const { tool, key } = await agentWithTool();
    const approver = await makeUserWithToken("approver");
    const body = { action: "purge the CDN", tool, confidence: 0.3 };
    const first = await ask(key, body);
    await call(rejectRoute, { token: approver.token, params: { id: first.json.id }, body: { reason: "not during the sale" } });
    const second = await ask(key, body);
    expect(second.status).toBe(201);
    expect(second.json.id).not.toBe(first.json.id);
  });
});

describe("the inbox shows whether the agent is there for the answer", () => {
  it("waiting while its long-poll lasts, then connected or away", async () => {
    const { listPendingApprovals } = await import("../../server/approvals/list-approvals");
    const { waitActionRoute } = await import("../../server/actions/action-routes");
    const { tool, agent, key } = await agentWithTool();
    const proposed = await ask(key, { action: "resize the volume", tool, confidence: 0.3 });
    const presence = async () => (await listPendingApprovals(db, { agent: agent.name, limit: 10 })).items.find((i) => i.id === proposed.json.id)!.agentPresence;

    await db.agent.update({ where: { id: agent.id }, data: { lastSeenAt: null } });
    expect(await presence()).toBe("away");
    const waiting = call(waitActionRoute, { token: key, params: { id: proposed.json.id }, query: { timeoutSeconds: "2" } });
    await expect.poll(presence, { timeout: 2_000 }).toBe("waiting");
    expect((await waiting).json.status).toBe("pending_approval");
    expect(await presence()).not.toBe("waiting");
  });
});

describe("values JSON cannot keep are refused, not changed", () => {
  it("a number too large for JSON (1e999) and a __proto__ key in args get a 400 naming them, and nothing is written", async () => {
    const { tool, agent, key } = await agentWithTool();
    const huge = await call(proposeActionRoute, { token: key, rawBody: `{"action":"x","tool":"${tool}","confidence":0.99,"args":{"a":1e999}}` });
    expect(huge.status).toBe(400);
    expect(JSON.stringify(huge.json.error.details)).toContain("args.a");
    const proto = await call(proposeActionRoute, {
      token: key,
      rawBody: `{"action":"x","tool":"${tool}","confidence":0.99,"args":{"__proto__":{"cmd":"docker rm prod-db"}}}`,
    });
    expect(proto.status).toBe(400);
    expect(JSON.stringify(proto.json.error.details)).toContain("args.__proto__");
    expect(await db.action.count({ where: { agentId: agent.id } })).toBe(0);
  });
});

describe("an action is filed under the agent's own task only", () => {
  it("naming another agent's task is a 404 naming taskId, and nothing is written", async () => {
    const { createTaskRoute } = await import("../../server/tasks/task-routes");
    const mine = await agentWithTool();
    const other = await agentWithTool();
    const task = await call(createTaskRoute, { token: other.key, body: { title: "someone else's work", capability: "x" } });
    expect(task.status).toBe(201);
    const refused = await ask(mine.key, { action: "deploy", tool: mine.tool, confidence: 0.99, taskId: task.json.task.id });
    expect(refused.status).toBe(404);
    expect(refused.json.error.details).toEqual([expect.objectContaining({ field: "taskId" })]);
    expect(await db.action.count({ where: { agentId: mine.agent.id } })).toBe(0);
    expect((await ask(other.key, { action: "deploy", tool: other.tool, confidence: 0.99, taskId: task.json.task.id })).status).toBe(201);
  });
});
