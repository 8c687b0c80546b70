import { describe, expect, it } from "vitest";
import { actionResultRoute, getActionRoute, waitActionRoute } from "../../server/actions/action-routes";
import { approveRoute, listApprovalsRoute, rejectRoute } from "../../server/approvals/approval-routes";
import { expireOverdueApprovals } from "../../server/approvals/decide-approval";
import { argsHash } from "../../server/lib/canonical-json";
import { createApiToken } from "../../server/users/api-tokens";
import { call, db, makeUserWithToken, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

async function pendingAction(options: { risk?: "low" | "critical" } = {}) {
  const tool = await makeTool({ scopes: [], risk: options.risk ?? "low" });
  const { agent, key } = await makeGrantedAgent([tool.name]);
  const response = await propose(key, { tool: tool.name, confidence: 0.4, action: "restart traefik", args: { container: "traefik", timeout: 10 } });
  expect(response.json.status).toBe("pending_approval");
  return { id: response.json.id as string, agent, key, tool };
}

describe("approvals", () => {
  it("20 concurrent approve and reject calls on one action: exactly one decision and one audit entry", async () => {
    const { id } = await pendingAction();
    const approvers = await Promise.all(Array.from({ length: 20 }, () => makeUserWithToken("approver")));
    const answers = await Promise.all(
      approvers.map((a, i) =>
        i % 2 === 0
          ? call(approveRoute, { token: a.token, params: { id }, body: {} })
          : call(rejectRoute, { token: a.token, params: { id }, body: { reason: `no (${i})` } }),
      ),
    );
    const winners = answers.filter((a) => a.status === 200);
    const losers = answers.filter((a) => a.status === 409);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    const decided = winners[0]!.json;
    // The others are told who decided and when.
    expect(losers[0]!.json.error.details).toMatchObject({ status: decided.status, decidedBy: decided.decidedBy });
    expect(losers[0]!.json.error.message).toContain(decided.decidedBy);
    const audits = await db.auditLog.findMany({ where: { subjectId: id, verb: { in: ["action.approve", "action.reject", "action.approval_vote"] } } });
    expect(audits).toHaveLength(1);
  });

  it("edited args are what the agent's wait call returns, with their hash", async () => {
    const { id, key } = await pendingAction();
    const { token } = await makeUserWithToken("approver");
    const waiting = call(waitActionRoute, { token: key, params: { id }, query: { timeoutSeconds: "20" } });
    await new Promise((r) => setTimeout(r, 200));
    const edited = { container: "traefik", timeout: 30, validateFirst: true };
    const approved = await call(approveRoute, { token, params: { id }, body: { args: edited, comment: "validate the config first" } });
    expect(approved.status).toBe(200);
    const waited = await waiting;
    expect(waited.status).toBe(200);
    expect(waited.json).toMatchObject({ status: "approved", approvedArgs: edited, argsEdited: true, approvedArgsHash: argsHash(edited) });
  });

  it("wait returns when the timeout passes with the action still pending", async () => {
    const { id, key } = await pendingAction();
    const started = Date.now();
    const waited = await call(waitActionRoute, { token: key, params: { id }, query: { timeoutSeconds: "1" } });
    expect(waited.json.status).toBe("pending_approval");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("a rejection carries its reason back to the agent", async () => {
    const { id, key } = await pendingAction();
    const { token } = await makeUserWithToken("approver");
    expect((await call(rejectRoute, { token, params: { id }, body: { reason: "" } })).status).toBe(400);
    await call(rejectRoute, { token, params: { id }, body: { reason: "validate the YAML first" } });
    const seen = await call(getActionRoute, { token: key, params: { id } });
    expect(seen.json).toMatchObject({ status: "rejected", reason: "validate the YAML first" });
    // …and a rejected action cannot report a result: it was never allowed to run.
    const result = await call(actionResultRoute, { token: key, params: { id }, body: { status: "succeeded" } });
    expect(result.status).toBe(409);
  });

  it("a critical action needs two distinct approvers, and the agent's owner does not count", async () => {
    const { id, agent } = await pendingAction({ risk: "critical" });
    const { ownerId } = await db.agent.findUniqueOrThrow({ where: { id: agent.id }, select: { ownerId: true } });
    const owner = await db.user.findUniqueOrThrow({ where: { id: ownerId! } });
    const ownerToken = await createApiToken(db, { type: "user", id: owner.id, label: owner.email, role: owner.role! }, "owner");
    const byOwner = await call(approveRoute, { token: ownerToken.secret, params: { id }, body: {} });
    expect(byOwner.status).toBe(403);
    expect(byOwner.json.error.message).toMatch(/cannot count toward its quorum/);
    const first = await makeUserWithToken("approver");
    const second = await makeUserWithToken("approver");
    const one = await call(approveRoute, { token: first.token, params: { id }, body: {} });
    expect(one.json).toMatchObject({ status: "pending_approval", approvals: [{ by: first.user.email }] });
    expect((await call(approveRoute, { token: first.token, params: { id }, body: {} })).status).toBe(409);
    const two = await call(approveRoute, { token: second.token, params: { id }, body: {} });
    expect(two.json).toMatchObject({ status: "approved", decidedBy: second.user.email });
    expect(two.json.approvals).toHaveLength(2);
  });

  it("an expired approval is expired, never rejected, and cannot be approved afterwards", async () => {
    const { id, key } = await pendingAction();
    await db.action.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expireOverdueApprovals(db);
    const seen = await call(getActionRoute, { token: key, params: { id } });
    expect(seen.json.status).toBe("expired");
    const { token } = await makeUserWithToken("approver");
    const late = await call(approveRoute, { token, params: { id }, body: {} });
    expect(late.status).toBe(409);
    expect(late.json.error.details.status).toBe("expired");
    expect(await db.auditLog.count({ where: { subjectId: id, verb: "action.expire" } })).toBe(1);
  });

  it("the agent reports a result once, for an approved action", async () => {
    const tool = await makeTool({ scopes: [] });
    const { key } = await makeGrantedAgent([tool.name]);
    const { json } = await propose(key, { tool: tool.name, confidence: 0.99 });
    const ok = await call(actionResultRoute, {
      token: key,
      params: { id: json.id },
      body: { status: "failed", error: "exit 1", failureReason: "config had invalid YAML", durationMs: 1200, cost: 0.002 },
    });
    expect(ok.json.status).toBe("failed");
    expect((await call(actionResultRoute, { token: key, params: { id: json.id }, body: { status: "succeeded" } })).status).toBe(409);
    const row = await db.action.findUniqueOrThrow({ where: { id: json.id } });
    expect(row).toMatchObject({ failureReason: "config had invalid YAML", durationMs: 1200 });
  });

  it("a retried POST /api/v1/actions with the same Idempotency-Key answers the same action id", async () => {
    const tool = await makeTool({ scopes: [] });
    const { key, agent } = await makeGrantedAgent([tool.name]);
    const headers = { "idempotency-key": unique("propose") };
    const first = await propose(key, { tool: tool.name, confidence: 0.5, action: "restart web" }, headers);
    const again = await propose(key, { tool: tool.name, confidence: 0.5, action: "restart web" }, headers);
    expect(again.json.id).toBe(first.json.id);
    expect(await db.action.count({ where: { agentId: agent.id } })).toBe(1);
  });

  it("the inbox API lists pending actions for approvers and refuses viewers and agents", async () => {
    const { id, key } = await pendingAction();
    const approver = await makeUserWithToken("approver");
    const inbox = await call(listApprovalsRoute, { token: approver.token, query: { limit: "200" } });
    expect(inbox.status).toBe(200);
    expect(inbox.json.total).toBeGreaterThanOrEqual(1);
    const viewer = await makeUserWithToken("viewer");
    expect((await call(listApprovalsRoute, { token: viewer.token })).status).toBe(403);
    expect((await call(approveRoute, { token: viewer.token, params: { id }, body: {} })).status).toBe(403);
    expect((await call(approveRoute, { token: key, params: { id }, body: {} })).status).toBe(403);
    expect((await db.action.findUniqueOrThrow({ where: { id } })).status).toBe("pending_approval");
  });
});

describe("bad input gets a clear 4xx naming the problem, and nothing is stored", () => {
  it.each([
    { name: "confidence 1.5", body: { action: "x", tool: "t", confidence: 1.5 }, status: 400, field: "confidence" },
    // A missing tool is allowed (tests/integration/untooled-proposals.test.ts); a malformed one is not.
    { name: "a tool that is not a tool name", body: { action: "x", tool: "Docker Restart!", confidence: 0.5 }, status: 400, field: "tool" },
    { name: "an empty action", body: { action: " ", tool: "t", confidence: 0.5 }, status: 400, field: "action" },
    { name: "args that are not an object", body: { action: "x", tool: "t", confidence: 0.5, args: [1, 2] }, status: 400, field: "args" },
  ])("$name", async ({ body, status, field }) => {
    const { key, agent } = await makeGrantedAgent([]);
    const { proposeActionRoute } = await import("../../server/actions/action-routes");
    const response = await call(proposeActionRoute, { token: key, body });
    expect(response.status).toBe(status);
    expect(response.json.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await db.action.count({ where: { agentId: agent.id } })).toBe(0);
  });

  it("2 MB of args is refused as too large", async () => {
    const { key, agent } = await makeGrantedAgent([]);
    const response = await propose(key, { tool: "t", args: { blob: "x".repeat(2 * 1024 * 1024) } });
    expect(response.status).toBe(413);
    expect(await db.action.count({ where: { agentId: agent.id } })).toBe(0);
  });

  it("100 KB of args (under the body limit) is refused by the args bound", async () => {
    const { key } = await makeGrantedAgent([]);
    const response = await propose(key, { tool: "t", args: { blob: "x".repeat(100 * 1024) } });
    expect(response.status).toBe(400);
    expect(response.json.error.message).toMatch(/args must be at most 64 KiB/);
  });

  it("an unknown action id is a 404 for get, wait, result, approve and reject", async () => {
    const { key } = await makeGrantedAgent([]);
    const { token } = await makeUserWithToken("approver");
    const id = "00000000-0000-4000-8000-000000000000";
    expect((await call(getActionRoute, { token: key, params: { id } })).status).toBe(404);
    expect((await call(waitActionRoute, { token: key, params: { id }, query: { timeoutSeconds: "1" } })).status).toBe(404);
    expect((await call(actionResultRoute, { token: key, params: { id }, body: { status: "succeeded" } })).status).toBe(404);
    expect((await call(approveRoute, { token, params: { id }, body: {} })).status).toBe(404);
    expect((await call(rejectRoute, { token, params: { id }, body: { reason: "x" } })).status).toBe(404);
    const malformed = await call(getActionRoute, { token: key, params: { id: "not-a-uuid" } });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.details[0].field).toBe("path.id");
  });

  it("another agent's action is as unknown as a made-up one", async () => {
    const { id } = await pendingAction();
    const stranger = await makeGrantedAgent([]);
    expect((await call(getActionRoute, { token: stranger.key, params: { id } })).status).toBe(404);
  });
});
