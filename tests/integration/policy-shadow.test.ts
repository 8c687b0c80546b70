import { describe, expect, it } from "vitest";
import { getCurrentPolicy } from "../../server/policy/current-policy";
import { savePolicy } from "../../server/policy/save-policy";
import { endShadow, getRunningShadow, shadowDifference, startShadow } from "../../server/policy/shadow-policy";
import { actionResultRoute } from "../../server/actions/action-routes";
import { auditRows, call, db, makeUser, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

/*
 * Shadow mode on live traffic: a draft that sends one agent's actions to a human runs beside the
 * policy in force; the agent's answers do not change, the shadow's rows say what the draft would
 * have decided, and promoting makes it the policy (one transaction), dropping ends it. The suites
 * share one database, so the counts are checked for this test's own actions.
 */
describe("shadow mode", () => {
  it("records what a draft would decide without changing a decision, then is promoted or dropped", async () => {
    const admin = await makeUser("admin");
    const tool = (await makeTool({ scopes: [], prefix: "shadowed" })).name;
    const { agent, key } = await makeGrantedAgent([tool]);
    const rule = `${agent.name}: a human decides`;
    const current = await getCurrentPolicy(db, { fresh: true });
    const draft = {
      ...current.document,
      rules: [...current.document.rules, { name: rule, when: `agent.name == "${agent.name}"`, then: { decision: "require_approval" as const } }],
    };

    // A draft that does not compile is refused before it runs.
    await expect(
      startShadow(db, admin, { document: { ...draft, rules: [{ name: "bad", when: "agent.nam == 1", then: { decision: "deny" } }] } }),
    ).rejects.toThrow(/rule "bad".*agent has no field nam/);

    const started = await startShadow(db, admin, { document: draft, comment: "try it on live traffic" });
    await expect(startShadow(db, admin, { document: draft })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await getRunningShadow(db))?.id).toBe(started.id);

    const live = await propose(key, { tool, confidence: 0.99 });
    expect(live.json.decision).toBe("auto_execute"); // the policy in force answers
    const row = await db.shadowDecision.findFirstOrThrow({ where: { actionId: live.json.id } });
    expect(row).toMatchObject({ shadowId: started.id, enforced: "auto_execute", shadowDecision: "require_approval" });

    const difference = (await shadowDifference(db))!;
    expect(difference.shadow.id).toBe(started.id);
    expect(difference.moreApprovals).toBeGreaterThanOrEqual(1);
    expect(difference.differing.find((d) => d.actionId === live.json.id)).toMatchObject({
      agent: agent.name,
      enforced: "auto_execute",
      shadowDecision: "require_approval",
      rule,
    });

    const promoted = await endShadow(db, admin, { id: started.id, outcome: "promoted" });
    expect(promoted.promotedTo).toBeGreaterThan(current.version);
    expect(await getRunningShadow(db)).toBeNull();
    expect((await getCurrentPolicy(db)).document.rules.map((r) => r.name)).toContain(rule);
    expect((await propose(key, { tool, confidence: 0.99 })).json.decision).toBe("require_approval");
    await expect(endShadow(db, admin, { id: started.id, outcome: "dropped" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await auditRows({ verb: "policy.shadow.start", subjectId: started.id })).toHaveLength(1);
    expect(await auditRows({ verb: "policy.shadow.promote", subjectId: started.id })).toHaveLength(1);
    expect(await auditRows({ verb: "policy.update", subjectId: String(promoted.promotedTo) })).toHaveLength(1);

    // A second draft, dropped: nothing is saved, and decisions after it record no shadow rows.
    const second = await startShadow(db, admin, { document: { ...draft, approvalExpiryMinutes: 45 } });
    await endShadow(db, admin, { id: second.id, outcome: "dropped" });
    const after = await propose(key, { tool, confidence: 0.99, action: "after the drop" });
    expect(await db.shadowDecision.count({ where: { actionId: after.json.id } })).toBe(0);
    expect((await getCurrentPolicy(db, { fresh: true })).version).toBe(promoted.promotedTo);
    expect(await auditRows({ verb: "policy.shadow.drop", subjectId: second.id })).toHaveLength(1);
    await expect(endShadow(db, admin, { id: "00000000-0000-4000-8000-000000000000", outcome: "dropped" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("promoting a draft after a newer save is a conflict, as a stale save is, and the newer version stays", async () => {
    const admin = await makeUser("admin");
    const current = await getCurrentPolicy(db, { fresh: true });
    const started = await startShadow(db, admin, { document: { ...current.document, approvalExpiryMinutes: current.document.approvalExpiryMinutes + 7 } });
    const newer = await savePolicy(db, admin, {
      document: { ...current.document, approvalExpiryMinutes: current.document.approvalExpiryMinutes + 3 },
      comment: "saved while the shadow ran",
      baseVersion: current.version,
    });
    await expect(endShadow(db, admin, { id: started.id, outcome: "promoted" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining(`since you loaded version ${current.version}`),
    });
    expect((await getCurrentPolicy(db, { fresh: true })).version).toBe(newer.version);
    expect((await getRunningShadow(db, { fresh: true }))?.id).toBe(started.id);
    await endShadow(db, admin, { id: started.id, outcome: "dropped" });
  });

  it("a count only the draft's rules name is loaded for the shadow too, not read as 0", async () => {
    const admin = await makeUser("admin");
    const tool = (await makeTool({ scopes: [], prefix: "shadowflaky" })).name;
    const { key } = await makeGrantedAgent([tool]);
    const rule = `${tool}: failed today, a human decides`;
    const current = await getCurrentPolicy(db, { fresh: true });
    // The policy in force names no count for this tool; the draft names tool.failuresLastDay.
    const draft = {
      ...current.document,
      rules: [
        ...current.document.rules,
        { name: rule, when: `tool.name == "${tool}" && tool.failuresLastDay > 0`, then: { decision: "require_approval" as const } },
      ],
    };
    const started = await startShadow(db, admin, { document: draft });
    try {
      const first = await propose(key, { tool, confidence: 0.99 });
      expect(first.json.decision).toBe("auto_execute");
      await call(actionResultRoute, { token: key, params: { id: first.json.id }, body: { status: "failed", failureReason: "flaky" } });
      const next = await propose(key, { tool, confidence: 0.99, action: `another ${unique("step")}` });
      const row = await db.shadowDecision.findFirstOrThrow({ where: { actionId: next.json.id } });
      expect(row.shadowDecision).toBe("require_approval");
      expect((row.reasons as { rule?: string }[]).map((r) => r.rule)).toContain(rule);
    } finally {
      await endShadow(db, admin, { id: started.id, outcome: "dropped" });
    }
  });
});
