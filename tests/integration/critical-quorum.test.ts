import { describe, expect, it } from "vitest";
import { registerAgent } from "../../server/agents/register-agent";
import { approveRoute } from "../../server/approvals/approval-routes";
import { getActionRoute } from "../../server/actions/action-routes";
import { call, db, makeUserWithToken, unique } from "../support/fixtures";
import { makeTool, propose } from "../support/guardrail-fixtures";

describe("critical means a quorum", () => {
  it("with a quorum of one (a policy may set it), the agent's owner still cannot be the one", async () => {
    const tool = await makeTool({ prefix: "db.truncate", scopes: [], risk: "critical" });
    const owner = await makeUserWithToken("admin");
    const { key } = await registerAgent(db, owner.user, { name: unique("dba"), role: "specialist", team: "data", tools: [tool.name] });
    const proposed = await propose(key.secret, { action: "truncate sessions", tool: tool.name, confidence: 0.99 });
    const id = proposed.json.id as string;
    // As a policy with toolOverrides {quorum: 1} would have decided it.
    await db.action.update({ where: { id }, data: { requiredApprovals: 1 } });
    expect((await call(approveRoute, { token: owner.token, params: { id }, body: {} })).status).toBe(403);
    const approver = await makeUserWithToken("approver");
    expect((await call(approveRoute, { token: approver.token, params: { id }, body: {} })).json.status).toBe("approved");
  });

  it("db.drop (critical) at 0.99 waits for two distinct approvers, never the agent's owner", async () => {
    const tool = await makeTool({ prefix: "db.drop", scopes: ["staging/*"], risk: "critical" });
    // The agent's owner is a person with a token of their own: their approval must not count.
    const owner = await makeUserWithToken("admin");
    const { key } = await registerAgent(db, owner.user, { name: unique("dba"), role: "specialist", team: "data", tools: [tool.name] });

    const proposed = await propose(key.secret, { action: "drop hi", tool: tool.name, resource: "staging/db", confidence: 0.99 });
    expect(proposed.status).toBe(201);
    expect(proposed.json).toMatchObject({ decision: "require_approval", status: "pending_approval", approval: { requiredApprovals: 2 } });
    const reason = (proposed.json.reasons as { code: string; message: string }[]).find((r) => r.code === "critical_tool_quorum");
    expect(reason?.message).toContain(tool.name);
    expect(reason?.message).toContain("2 distinct approver(s)");
    const id = proposed.json.id as string;

    const byOwner = await call(approveRoute, { token: owner.token, params: { id }, body: {} });
    expect(byOwner.status).toBe(403);

    const [first, second] = await Promise.all([makeUserWithToken("approver"), makeUserWithToken("approver")]);
    const one = await call(approveRoute, { token: first.token, params: { id }, body: {} });
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ status: "pending_approval", approvals: [{ by: first.user.label }] });
    // The same person again does not make two.
    expect((await call(approveRoute, { token: first.token, params: { id }, body: {} })).status).toBe(409);
    expect((await call(getActionRoute, { token: key.secret, params: { id } })).json.status).toBe("pending_approval");

    const two = await call(approveRoute, { token: second.token, params: { id }, body: {} });
    expect(two.status).toBe(200);
    expect(two.json).toMatchObject({ status: "approved", decidedBy: second.user.label });
    expect(two.json.approvals.map((a: { by: string }) => a.by).sort()).toEqual([first.user.label, second.user.label].sort());
    const audit = await db.auditLog.findMany({ where: { subjectId: id }, orderBy: { id: "asc" } });
    expect(audit.map((row) => row.verb)).toEqual(["action.propose", "action.approval_vote", "action.approve"]);
    expect(audit[0]!.data).toMatchObject({ decision: "require_approval", reasons: expect.arrayContaining(["critical_tool_quorum"]) });
  });

  it("a critical tool that also matched a pattern or needs confirmation still needs the whole quorum", async () => {
    const tool = await makeTool({ prefix: "db.drop", scopes: [], risk: "critical", requiresConfirmation: true });
    const owner = await makeUserWithToken("admin");
    const { key } = await registerAgent(db, owner.user, { name: unique("dba"), role: "specialist", team: "data", tools: [tool.name] });
    const proposed = await propose(key.secret, { action: "psql -c 'DROP TABLE users'", tool: tool.name, confidence: 0.99 });
    expect(proposed.json.approval.requiredApprovals).toBe(2);
    expect(proposed.json.reasons.map((r: { code: string }) => r.code)).toEqual(
      expect.arrayContaining(["always_requires_approval", "tool_requires_confirmation", "critical_tool_quorum"]),
    );
  });
});
