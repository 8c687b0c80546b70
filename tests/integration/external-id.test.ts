import { describe, expect, it } from "vitest";
import { actionResultRoute, findActionsRoute, proposeActionRoute } from "../../server/actions/action-routes";
import { approveRoute, rejectRoute } from "../../server/approvals/approval-routes";
import { changeControl } from "../../server/control/change-control";
import { auditRows, call, db, makeUser, makeUserWithToken, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool } from "../support/guardrail-fixtures";

/*
 * `externalId`: the agent framework's tool-call id. A step the framework runs again (LangGraph
 * re-executes a node after interrupt(), a retried loop) proposes the same call again and must
 * get the action it already has, as it is now, never a second action or a second run.
 */
async function agentWithTool() {
  const tool = await makeTool({ scopes: [] });
  const { agent, key } = await makeGrantedAgent([tool.name]);
  return { tool: tool.name, agent, key };
}

const ask = (key: string, body: Record<string, unknown>) => call(proposeActionRoute, { token: key, body });

describe("a proposal with the framework's tool-call id (externalId)", () => {
  it("asked again, answers 200 with the action as it is now: approved with edited args, then its reported output", async () => {
    const { tool, agent, key } = await agentWithTool();
    const approver = await makeUserWithToken("approver");
    const externalId = `call_${unique("c")}`;
    const body = { action: "resize the volume", tool, args: { size: 10 }, confidence: 0.3, externalId };
    const first = await ask(key, body);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ status: "pending_approval" });

    const waiting = await ask(key, body);
    expect(waiting.status).toBe(200);
    expect(waiting.json).toMatchObject({ id: first.json.id, status: "pending_approval", repeated: true, externalId });

    await call(approveRoute, { token: approver.token, params: { id: first.json.id }, body: { args: { size: 20 } } });
    const approved = await ask(key, body);
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ id: first.json.id, status: "approved", approvedArgs: { size: 20 }, argsEdited: true, output: null });
    expect(approved.json.approvedArgsHash).toEqual(expect.any(String));

    await call(actionResultRoute, { token: key, params: { id: first.json.id }, body: { status: "succeeded", output: { resized: 20 } } });
    const ran = await ask(key, body);
    expect(ran.json).toMatchObject({ id: first.json.id, status: "succeeded", output: { resized: 20 } });
    expect(await db.action.count({ where: { agentId: agent.id } })).toBe(1);
    expect(await auditRows({ verb: "action.propose_repeated", subjectId: first.json.id })).toHaveLength(3);
  });

  it("a rejection comes back with its reason; an auto-executed action with its status", async () => {
    const { tool, key } = await agentWithTool();
    const approver = await makeUserWithToken("approver");
    const held = { action: "drop the cache", tool, confidence: 0.3, externalId: `call_${unique("r")}` };
    const first = await ask(key, held);
    await call(rejectRoute, { token: approver.token, params: { id: first.json.id }, body: { reason: "not during the sale" } });
    expect((await ask(key, held)).json).toMatchObject({ id: first.json.id, status: "rejected", reason: "not during the sale", decidedBy: expect.any(String) });

    const auto = { action: "read the logs", tool, confidence: 0.99, externalId: `call_${unique("a")}` };
    const ranOnce = await ask(key, auto);
    expect(ranOnce.status).toBe(201);
    expect(ranOnce.json.status).toBe("approved");
    // Even with other args: the id names the call, and the call was decided.
    const again = await ask(key, { ...auto, args: { lines: 5 } });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: ranOnce.json.id, status: "approved", approvedArgs: {} });
  });

  it("ten proposals of one tool-call id at once make one action, and every caller gets its id", async () => {
    const { tool, agent, key } = await agentWithTool();
    const externalId = `call_${unique("race")}`;
    // Different confidences: half would run at once, half would wait, and still one action.
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ask(key, { action: "restart web", tool, confidence: i % 2 ? 0.99 : 0.3, externalId })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.json.id)).size).toBe(1);
    expect(await db.action.count({ where: { agentId: agent.id } })).toBe(1);
  });

  it("a repeated call does not use up the tool's rate limit", async () => {
    const tool = await makeTool({ scopes: [], rateLimit: "2/minute" });
    const { key } = await makeGrantedAgent([tool.name]);
    const externalId = `call_${unique("rl")}`;
    const body = { action: "restart web", tool: tool.name, confidence: 0.99, externalId };
    const first = await ask(key, body);
    for (let i = 0; i < 3; i++) expect((await ask(key, body)).json.id).toBe(first.json.id);
    // One point used of two: another call still runs, the third is refused.
    expect((await ask(key, { ...body, externalId: `call_${unique("rl2")}` })).json.decision).toBe("auto_execute");
    expect((await ask(key, { ...body, externalId: `call_${unique("rl3")}` })).json).toMatchObject({ decision: "deny", reasons: [{ code: "rate_limited" }] });
  });

  it("is unique per agent: another agent's same id is its own action", async () => {
    const a = await agentWithTool();
    const b = await makeGrantedAgent([a.tool]);
    const externalId = `call_${unique("shared")}`;
    const mine = await ask(a.key, { action: "restart web", tool: a.tool, confidence: 0.99, externalId });
    const theirs = await ask(b.key, { action: "restart web", tool: a.tool, confidence: 0.99, externalId });
    expect(theirs.status).toBe(201);
    expect(theirs.json.id).not.toBe(mine.json.id);

    // GET /api/v1/actions?externalId=: an agent finds its own action only; a person sees both.
    const found = await call(findActionsRoute, { token: a.key, query: { externalId } });
    expect(found.status).toBe(200);
    expect(found.json.items.map((i: { id: string }) => i.id)).toEqual([mine.json.id]);
    expect(found.json.items[0]).toMatchObject({ externalId, output: null, error: null });
    const viewer = await makeUserWithToken("viewer");
    expect((await call(findActionsRoute, { token: viewer.token, query: { externalId } })).json.items).toHaveLength(2);
    expect((await call(findActionsRoute, { token: a.key, query: { externalId: "call_unknown_x" } })).json.items).toEqual([]);
  });

  it("refuses an empty, overlong or invisible id, naming the field", async () => {
    const { tool, key } = await agentWithTool();
    for (const externalId of ["", "x".repeat(201), "call 1", "call\u0000", "call\u200b"]) {
      const answer = await ask(key, { action: "restart web", tool, confidence: 0.99, externalId });
      expect(answer.status, JSON.stringify(externalId)).toBe(400);
      expect(JSON.stringify(answer.json)).toContain("externalId");
    }
    expect((await call(findActionsRoute, { token: key, query: {} })).status).toBe(400);
  });
});

describe("an approval given before a stop", () => {
  it("asked again by its externalId while the agent is suspended, an approved action that has not run is refused (409); resumed, it is handed back", async () => {
    const { tool, agent, key } = await agentWithTool();
    const externalId = `call_${unique("c")}`;
    const body = { action: "restart the cache", tool, args: {}, confidence: 0.99, externalId };
    const first = await ask(key, body);
    expect(first.json.status).toBe("approved");
    const admin = await makeUser("admin");
    const scope = { kind: "agent" as const, key: agent.id, label: agent.name };
    await changeControl(db, admin, { scope, state: "suspended", reason: "externalId test" });
    const during = await ask(key, body);
    expect(during.status).toBe(409);
    expect(during.json.error.details).toMatchObject({ control: "suspended" });
    await changeControl(db, admin, { scope, state: "running", reason: "externalId test over" });
    const after = await ask(key, body);
    expect([after.status, after.json.id, after.json.status]).toEqual([200, first.json.id, "approved"]);
  });
});
