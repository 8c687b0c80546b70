import { describe, expect, it } from "vitest";
import { actionResultRoute } from "../../server/actions/action-routes";
import { getCurrentPolicy } from "../../server/policy/current-policy";
import { replayPolicy } from "../../server/policy/replay-policy";
import { listPolicyVersions, savePolicy } from "../../server/policy/save-policy";
import { call, db, makeUser } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

describe("policy replay and versions", () => {
  it("a stricter draft shows which past actions change and which failures it would have caught", async () => {
    const tool = await makeTool({ scopes: [] });
    const { agent, key } = await makeGrantedAgent([tool.name]);
    const auto = await propose(key, { tool: tool.name, confidence: 0.97, action: `restart web (${agent.name})` });
    const failing = await propose(key, { tool: tool.name, confidence: 0.96, action: `deploy web (${agent.name})` });
    await call(actionResultRoute, { token: key, params: { id: failing.json.id }, body: { status: "failed", failureReason: "bad migration" } });
    expect(auto.json.decision).toBe("auto_execute");

    const current = await getCurrentPolicy(db, { fresh: true });
    const draft = {
      ...current.document,
      rules: [
        ...current.document.rules,
        { name: `${agent.name} waits below 0.98`, when: `agent.name == "${agent.name}" && confidence < 0.98`, then: { decision: "require_approval" as const } },
      ],
    };
    const result = await replayPolicy(db, { document: draft, days: 1 });
    const mine = result.changed.filter((c) => c.agent === agent.name);
    expect(mine.map((c) => [c.from, c.to])).toEqual([
      ["auto_execute", "require_approval"],
      ["auto_execute", "require_approval"],
    ]);
    expect(result.caughtFailures.map((c) => c.id)).toContain(failing.json.id);
    expect(result.caughtFailures.map((c) => c.id)).not.toContain(auto.json.id);
    // The totals cover every test's actions in the shared database; ours add at least two changes.
    expect(result.changedCount).toBeGreaterThanOrEqual(2);
    // Replaying the policy in force changes nothing that depends on the policy alone.
    const same = await replayPolicy(db, { document: current.document, days: 1 });
    expect(same.changed.filter((c) => c.agent === agent.name)).toEqual([]);
  });

  it("each save is a new version with its author and diff; a stale base version is refused", async () => {
    const admin = await makeUser("admin");
    const current = await getCurrentPolicy(db, { fresh: true });
    const patterns = [...current.document.alwaysRequireApproval, `kubectl delete ${Date.now()}`];
    const saved = await savePolicy(db, admin, { document: { ...current.document, alwaysRequireApproval: patterns }, comment: "k8s" });
    expect(saved.version).toBeGreaterThan(current.version);
    expect(saved.changes.some((c) => c.path.startsWith("alwaysRequireApproval"))).toBe(true);
    const versions = await listPolicyVersions(db);
    expect(versions[0]).toMatchObject({ version: saved.version, authorLabel: admin.label, comment: "k8s" });
    await expect(savePolicy(db, admin, { document: { ...current.document, approvalExpiryMinutes: 45 }, baseVersion: current.version })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(savePolicy(db, admin, { document: { ...current.document, thresholds: { autoExecute: 0.5, notify: 0.9 } } })).rejects.toThrow(
      /notify must not be above autoExecute/,
    );
    expect(await db.auditLog.count({ where: { verb: "policy.update", subjectId: String(saved.version) } })).toBe(1);
  });
});
