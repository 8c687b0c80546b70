import { describe, expect, it } from "vitest";
import { issueAgentKey, revokeAgentKey, setAgentActive } from "../../server/agents/agent-keys";
import { approveRoute } from "../../server/approvals/approval-routes";
import { apiControlRoutes } from "../../server/control/control-routes";
import { listApprovalGrants, revokeApprovalGrant } from "../../server/policy/approval-grants";
import { listGrantsRoute, revokeGrantRoute } from "../../server/policy/policy-routes";
import { auditRows, call, db, makeUser, makeUserWithToken } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

/*
 * Approval grants through the API: an approver approves one call "and the same tool on the same
 * resource by this agent for N minutes"; the next such proposals run with a notification and say
 * whose grant it was; another resource, another agent, a revoke, the expiry, and a suspend each
 * bring the wait back; critical tools and edited args cannot be granted.
 */
describe("approval grants", () => {
  async function setUp(risk: "low" | "critical" = "low") {
    const tool = (await makeTool({ scopes: [], prefix: "granted", risk })).name;
    const { agent, key } = await makeGrantedAgent([tool]);
    const { user: approverUser, token } = await makeUserWithToken("approver");
    const approver = { ...approverUser, token };
    const waits = (resource: string, action = `step ${Math.random().toString(36).slice(2)}`) => propose(key, { tool, resource, confidence: 0.5, action });
    return { tool, agent, key, approver, waits };
  }

  it("a grant lets the same tool on the same resource run, names the grant, and is revocable and audited", async () => {
    const { agent, approver, waits, key, tool } = await setUp();
    const first = await waits("staging/db");
    expect(first.json.decision).toBe("require_approval");
    const approved = await call(approveRoute, {
      token: approver.token,
      params: { id: first.json.id },
      body: { grantMinutes: 30, comment: "the migration's steps" },
    });
    expect(approved.status).toBe(200);
    const [grant] = (await listApprovalGrants(db)).filter((g) => g.agentId === agent.id);
    expect(grant).toMatchObject({ tool, resource: "staging/db", grantedByLabel: approver.label, live: true });

    const second = await waits("staging/db");
    expect(second.json.decision).toBe("execute_with_notification");
    expect(second.json.status).toBe("approved");
    const reason = second.json.reasons.find((r: { code: string }) => r.code === "approval_grant");
    expect(reason.message).toContain(`Approved in advance by ${approver.label}`);
    expect(reason.message).toContain(grant!.id);

    // Not another resource, and not another agent with the same tool.
    expect((await waits("staging/cache")).json.decision).toBe("require_approval");
    const other = await makeGrantedAgent([tool]);
    expect((await propose(other.key, { tool, resource: "staging/db", confidence: 0.5 })).json.decision).toBe("require_approval");
    // Never past a refusal: an agent-level deny still refuses (an ungranted tool here).
    expect((await propose(key, { tool: "no-such-tool", resource: "staging/db", confidence: 0.5 })).json.decision).toBe("deny");

    // Listed and revoked through the API, as a script would.
    const listed = await call(listGrantsRoute, { token: approver.token });
    expect(listed.json.grants.find((g: { id: string }) => g.id === grant!.id)).toMatchObject({ agent: agent.name, tool, resource: "staging/db", live: true });
    const revoked = await call(revokeGrantRoute, { token: approver.token, params: { id: grant!.id }, body: { reason: "done" } });
    expect(revoked.status).toBe(200);
    expect(revoked.json).toMatchObject({ live: false, endedByLabel: approver.label, endReason: "done" });
    expect((await waits("staging/db")).json.decision).toBe("require_approval");
    await expect(revokeApprovalGrant(db, approver, { id: grant!.id })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await call(revokeGrantRoute, { token: approver.token, params: { id: grant!.id }, body: {} })).status).toBe(409);
    expect(await auditRows({ verb: "approval.grant", subjectId: grant!.id })).toHaveLength(1);
    expect(await auditRows({ verb: "approval.grant_revoke", subjectId: grant!.id })).toHaveLength(1);
  });

  it("a grant ends at its expiry and on a suspend of the agent", async () => {
    const { agent, approver, waits } = await setUp();
    const operator = await makeUserWithToken("operator");
    for (const resource of ["prod/a", "prod/b"]) {
      const pending = await waits(resource);
      expect((await call(approveRoute, { token: approver.token, params: { id: pending.json.id }, body: { grantMinutes: 60 } })).status).toBe(200);
      expect((await waits(resource)).json.decision).toBe("execute_with_notification");
    }
    // Expired: as if its hour had passed.
    await db.approvalGrant.updateMany({ where: { agentId: agent.id, resource: "prod/a" }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await waits("prod/a")).json.decision).toBe("require_approval");

    // Suspended and resumed: the grant is over, and it says why.
    expect((await call(apiControlRoutes.suspend, { token: operator.token, body: { scope: `agent:${agent.name}`, reason: "grant drill" } })).status).toBe(200);
    expect((await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `agent:${agent.name}`, reason: "grant drill over" } })).status).toBe(
      200,
    );
    expect((await waits("prod/b")).json.decision).toBe("require_approval");
    const ended = (await listApprovalGrants(db, { includeEnded: true })).find((g) => g.agentId === agent.id && g.resource === "prod/b");
    expect(ended).toMatchObject({ live: false, endedByLabel: "control.suspended" });
    expect(ended!.endReason).toContain("grant drill");
  });

  it("cannot be given for a critical tool, with edited args, or out of range", async () => {
    const critical = await setUp("critical");
    const pending = await critical.waits("prod/db");
    const refused = await call(approveRoute, { token: critical.approver.token, params: { id: pending.json.id }, body: { grantMinutes: 10 } });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toMatch(/^grantMinutes: .*several approvers/);

    const plain = await setUp();
    const edited = await plain.waits("staging/x");
    const withArgs = await call(approveRoute, {
      token: plain.approver.token,
      params: { id: edited.json.id },
      body: { grantMinutes: 10, args: { dryRun: true } },
    });
    expect(withArgs.status).toBe(400);
    expect(withArgs.json.error.message).toMatch(/grantMinutes: .*edited args/);
    const tooLong = await call(approveRoute, { token: plain.approver.token, params: { id: edited.json.id }, body: { grantMinutes: 100000 } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error.message).toContain("grantMinutes");
    // Nothing was half-written: the action still waits, and no grant exists.
    expect((await db.action.findUniqueOrThrow({ where: { id: edited.json.id } })).status).toBe("pending_approval");
    expect(await db.approvalGrant.count({ where: { agentId: plain.agent.id } })).toBe(0);
  });

  it("answers only for the call's confidence: never over an always-ask pattern, and never for a call without a resource", async () => {
    const { approver, waits, key, tool } = await setUp();
    const first = await waits("staging/db", "select 1");
    expect((await call(approveRoute, { token: approver.token, params: { id: first.json.id }, body: { grantMinutes: 60 } })).status).toBe(200);
    expect((await waits("staging/db", "select 2")).json.decision).toBe("execute_with_notification");
    // The same tool and resource, but the args now meet an always-ask pattern: a human decides.
    const dangerous = await propose(key, { tool, resource: "staging/db", confidence: 0.5, action: "run sql", args: { q: "DROP TABLE users" } });
    expect(dangerous.json.decision).toBe("require_approval");
    expect(dangerous.json.reasons.map((r: { code: string }) => r.code)).not.toContain("approval_grant");

    const unscoped = await propose(key, { tool, confidence: 0.5, action: "step without a resource" });
    expect(unscoped.json.decision).toBe("require_approval");
    const refused = await call(approveRoute, { token: approver.token, params: { id: unscoped.json.id }, body: { grantMinutes: 60 } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toContain("grantMinutes");
  });

  it("the agent's owner may approve its call, but not its later calls in advance", async () => {
    const { approver, agent, waits } = await setUp();
    await db.agent.update({ where: { id: agent.id }, data: { ownerId: approver.id } });
    const first = await waits("staging/db");
    const refused = await call(approveRoute, { token: approver.token, params: { id: first.json.id }, body: { grantMinutes: 30 } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toContain("owner");
    expect((await call(approveRoute, { token: approver.token, params: { id: first.json.id } })).status).toBe(200);
  });

  it("a grant ends when one of the agent's keys is revoked, and when the agent is deactivated", async () => {
    const { agent, approver, waits, tool } = await setUp();
    const admin = await makeUser("admin");
    const grantOn = async (resource: string, by = waits) => {
      const pending = await by(resource);
      expect((await call(approveRoute, { token: approver.token, params: { id: pending.json.id }, body: { grantMinutes: 60 } })).status).toBe(200);
      expect((await by(resource)).json.decision).toBe("execute_with_notification");
    };
    await grantOn("prod/keyed");
    // A second key, then the first revoked: the agent still acts with the second, and asks again.
    const second = await issueAgentKey(db, admin, agent.id, "rotated");
    const waitsWithSecond = (resource: string) =>
      propose(second.secret, { tool, resource, confidence: 0.5, action: `step ${Math.random().toString(36).slice(2)}` });
    const [firstKey] = await db.agentKey.findMany({ where: { agentId: agent.id, id: { not: second.key.id } } });
    await revokeAgentKey(db, admin, firstKey!.id);
    expect((await waitsWithSecond("prod/keyed")).json.decision).toBe("require_approval");
    const afterRevoke = (await listApprovalGrants(db, { includeEnded: true })).find((g) => g.agentId === agent.id && g.resource === "prod/keyed");
    expect(afterRevoke).toMatchObject({ live: false, endedByLabel: "agent.key.revoke" });

    // Deactivated, then reactivated with a new key: the grant given before is over.
    await grantOn("prod/active", waitsWithSecond);
    await setAgentActive(db, admin, agent.id, false);
    await setAgentActive(db, admin, agent.id, true);
    const third = await issueAgentKey(db, admin, agent.id, "after reactivation");
    expect((await propose(third.secret, { tool, resource: "prod/active", confidence: 0.5, action: "after reactivation" })).json.decision).toBe(
      "require_approval",
    );
    const afterDeactivate = (await listApprovalGrants(db, { includeEnded: true })).find((g) => g.agentId === agent.id && g.resource === "prod/active");
    expect(afterDeactivate).toMatchObject({ live: false, endedByLabel: "agent.deactivate" });
  });

  it("a deactivated agent's waiting action may be approved, never with a grant that would outlive a reactivation", async () => {
    const { agent, approver, waits } = await setUp();
    const admin = await makeUser("admin");
    const pending = await waits("prod/dormant");
    await setAgentActive(db, admin, agent.id, false);
    const granted = await call(approveRoute, { token: approver.token, params: { id: pending.json.id }, body: { grantMinutes: 1440 } });
    expect(granted.status).toBe(400);
    expect(granted.json.error.message).toContain("grantMinutes");
    expect((await listApprovalGrants(db, { includeEnded: true })).filter((g) => g.agentId === agent.id)).toEqual([]);
  });
});
