import { describe, expect, it } from "vitest";
import { proposeActionRoute } from "../../server/actions/action-routes";
import { proposeAction } from "../../server/actions/propose-action";
import { authenticateBearer } from "../../server/auth/authenticate-bearer";
import { changeControl } from "../../server/control/change-control";
import { db, makeUser, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";
import { call } from "../support/fixtures";

/**
 * POST /api/v1/actions writes its decision as one statement (server/actions/propose-action.ts):
 * the Idempotency-Key's stored answer is part of it, and so is a check that the control state
 * the decision was made on is still the agent's.
 */
describe("the decision's one statement", () => {
  it("a retried proposal with the same Idempotency-Key replays the first answer and records one action", async () => {
    const tool = await makeTool({ scopes: [] });
    const { agent, key } = await makeGrantedAgent([tool.name]);
    const headers = { "idempotency-key": unique("k") };
    const body = { action: `restart ${unique("svc")}`, tool: tool.name, confidence: 0.99 };
    const first = await call(proposeActionRoute, { token: key, body, headers });
    const retry = await call(proposeActionRoute, { token: key, body, headers });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.json).toEqual(first.json);
    expect(await db.action.count({ where: { agentId: agent.id, action: body.action } })).toBe(1);
    expect(await db.auditLog.count({ where: { verb: "action.propose", subjectId: first.json.id } })).toBe(1);
    const stored = await db.idempotencyKey.findFirstOrThrow({ where: { key: headers["idempotency-key"] } });
    expect(stored.status).toBe(201);
  });

  it("eight concurrent retries with one key: one action, every answer the same", async () => {
    const tool = await makeTool({ scopes: [] });
    const { agent, key } = await makeGrantedAgent([tool.name]);
    const headers = { "idempotency-key": unique("k") };
    const body = { action: `deploy ${unique("svc")}`, tool: tool.name, confidence: 0.99 };
    const answers = await Promise.all(Array.from({ length: 8 }, () => call(proposeActionRoute, { token: key, body, headers })));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(new Set(answers.map((a) => a.json.id)).size).toBe(1);
    expect(await db.action.count({ where: { agentId: agent.id, action: body.action } })).toBe(1);
  });

  it("a waiting proposal retried with its key replays the 201 (not the 'repeated' 200); another body is a 422 and writes nothing", async () => {
    const tool = await makeTool({ scopes: [], requiresConfirmation: true });
    const { agent, key } = await makeGrantedAgent([tool.name]);
    const headers = { "idempotency-key": unique("k") };
    const body = { action: `drop ${unique("table")}`, tool: tool.name, confidence: 0.99 };
    const first = await call(proposeActionRoute, { token: key, body, headers });
    expect(first.json.status).toBe("pending_approval");
    const retry = await call(proposeActionRoute, { token: key, body, headers });
    expect([retry.status, retry.json.id, retry.headers.get("idempotent-replayed")]).toEqual([201, first.json.id, "true"]);
    const other = await call(proposeActionRoute, { token: key, body: { ...body, action: `${body.action} now` }, headers });
    expect(other.status).toBe(422);
    expect(await db.action.count({ where: { agentId: agent.id } })).toBe(1);
  });

  it("a decision made on a control state that changed before it was written is made again on the new state", async () => {
    const tool = await makeTool({ scopes: [] });
    const { agent, key } = await makeGrantedAgent([tool.name]);
    // The principal as a request would hold it a moment before the suspend (the cache's copy).
    const principal = await authenticateBearer(db, key);
    if (principal?.kind !== "agent") throw new Error("expected an agent");
    expect(principal.control.state).toBe("running");
    const admin = await makeUser("admin");
    await changeControl(db, admin, { scope: { kind: "agent", key: agent.id, label: agent.name }, state: "suspended", reason: "stale-state test" });

    const answer = await proposeAction(
      db,
      { agent: principal.agent, control: principal.control },
      { action: `restart ${unique("svc")}`, tool: tool.name, confidence: 0.99, args: {} },
    );
    expect(answer.decision).toBe("deny");
    expect(answer.reasons.map((r) => r.code)).toContain("control_suspended");
    const stored = await db.action.findUniqueOrThrow({ where: { id: answer.id } });
    expect(stored.status).toBe("denied");
    expect(await db.action.count({ where: { agentId: agent.id, status: "approved" } })).toBe(0);
  });

  it("over the API, the proposal right after a suspend is refused even while the key's principal is cached", async () => {
    const tool = await makeTool({ scopes: [] });
    const { agent, key } = await makeGrantedAgent([tool.name]);
    expect((await propose(key, { tool: tool.name, confidence: 0.99 })).json.decision).toBe("auto_execute");
    const admin = await makeUser("admin");
    await changeControl(db, admin, { scope: { kind: "agent", key: agent.id, label: agent.name }, state: "suspended", reason: "cached-principal test" });
    const after = await propose(key, { tool: tool.name, confidence: 0.99 });
    expect(after.json.decision).toBe("deny");
  });
});
