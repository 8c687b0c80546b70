import { beforeAll, describe, expect, it, vi } from "vitest";
import { actionResultRoute } from "../../server/actions/action-routes";
import { getCurrentPolicy } from "../../server/policy/current-policy";
import { forgetCachedPolicy } from "../../server/policy/current-policy";
import { getPolicyRoute, putPolicyRoute } from "../../server/policy/policy-routes";
import { replayPolicy } from "../../server/policy/replay-policy";
import { ADVISORY_LOCKS } from "../../server/db/advisory-locks";
import type { Decision } from "../../server/schemas/enums";
import type { PolicyRule } from "../../server/schemas/policy-rules";
import { auditRows, call, db, makeUserWithToken, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

/*
 * Rules through the agent API on the real database: one policy holds a rule set per row (each
 * scoped to the row's own agent, since the suites share one policy), the clock the rules read is
 * set per proposal, and the answer's decision and the rule named in its reasons are checked.
 * Times are UTC; Berlin is UTC+1 in winter and UTC+2 in summer (from 29 March 2026 01:00 UTC to
 * 25 October 2026 01:00 UTC).
 */

const clock = vi.hoisted(() => ({ now: new Date() }));
vi.mock("../../server/policy/decision-clock", () => ({ decisionTime: () => clock.now }));

type Row = {
  name: string;
  rules: (agent: string) => PolicyRule[];
  /** [UTC time, decision, rule named in the reasons or null] */
  checks: [string, Decision, string | null][];
  body?: { resource?: string; confidence?: number; args?: Record<string, unknown>; action?: string };
};

const BUSINESS_HOURS = "Mon-Fri 09:00-18:00";
const restartWaits = (agent: string): PolicyRule[] => [
  {
    name: `${agent}: db restarts on prod wait in business hours`,
    description: "the 2pm-on-a-Tuesday rule",
    when: `agent.name == "${agent}" && resource.startsWith("prod/") && inWindow(now, "${BUSINESS_HOURS}", "Europe/Berlin")`,
    then: { decision: "require_approval" },
  },
];

const rows: Row[] = [
  {
    name: "a weekly window in winter (UTC+1)",
    rules: restartWaits,
    body: { resource: "prod/db" },
    checks: [
      ["2026-01-06T13:00:00Z", "require_approval", "business hours"], // Tuesday 14:00
      ["2026-01-06T17:30:00Z", "auto_execute", null], // Tuesday 18:30
      ["2026-01-06T07:59:00Z", "auto_execute", null], // Tuesday 08:59
      ["2026-01-06T08:00:00Z", "require_approval", "business hours"], // Tuesday 09:00 sharp
      ["2026-01-10T13:00:00Z", "auto_execute", null], // Saturday 14:00
    ],
  },
  {
    name: "the same window across the spring daylight-saving change",
    rules: restartWaits,
    body: { resource: "prod/db" },
    checks: [
      ["2026-03-27T07:30:00Z", "auto_execute", null], // Friday 08:30 CET
      ["2026-03-30T07:30:00Z", "require_approval", "business hours"], // Monday 09:30 CEST
      ["2026-03-30T16:30:00Z", "auto_execute", null], // Monday 18:30 CEST
    ],
  },
  {
    name: "a resource outside prod/ never matches",
    rules: restartWaits,
    body: { resource: "staging/db" },
    checks: [["2026-01-06T13:00:00Z", "auto_execute", null]],
  },
  {
    name: "the hour that happens twice when daylight saving ends",
    rules: (agent) => [
      { name: `${agent}: 2am`, when: `agent.name == "${agent}" && now.getHours("Europe/Berlin") == 2`, then: { decision: "require_approval" } },
    ],
    checks: [
      ["2026-10-25T00:30:00Z", "require_approval", "2am"], // 02:30 CEST
      ["2026-10-25T01:30:00Z", "require_approval", "2am"], // 02:30 CET, the second time
      ["2026-10-25T02:30:00Z", "auto_execute", null], // 03:30 CET
    ],
  },
  {
    name: "a window across midnight (it starts on the named day)",
    rules: (agent) => [
      { name: `${agent}: friday night`, when: `agent.name == "${agent}" && inWindow(now, "Fri 22:00-02:00", "Europe/Berlin")`, then: { decision: "deny" } },
    ],
    checks: [
      ["2026-01-09T20:59:00Z", "auto_execute", null], // Friday 21:59
      ["2026-01-09T22:00:00Z", "deny", "friday night"], // Friday 23:00
      ["2026-01-10T00:59:00Z", "deny", "friday night"], // Saturday 01:59
      ["2026-01-10T01:00:00Z", "auto_execute", null], // Saturday 02:00
      ["2026-01-08T22:00:00Z", "auto_execute", null], // Thursday 23:00
    ],
  },
  {
    name: "a change freeze, whole days in Berlin",
    rules: (agent) => [{ name: `${agent}: freeze`, when: `agent.name == "${agent}" && inCalendar(now, "change-freeze")`, then: { decision: "deny" } }],
    checks: [
      ["2026-12-19T22:59:00Z", "auto_execute", null], // 19 Dec 23:59
      ["2026-12-19T23:00:00Z", "deny", "freeze"], // 20 Dec 00:00
      ["2027-01-03T22:59:00Z", "deny", "freeze"], // 3 Jan 23:59
      ["2027-01-03T23:00:00Z", "auto_execute", null], // 4 Jan 00:00
    ],
  },
  {
    name: "a rule cannot loosen: auto_execute on a low confidence still waits",
    rules: (agent) => [{ name: `${agent}: lenient`, when: `agent.name == "${agent}"`, then: { decision: "auto_execute" } }],
    body: { confidence: 0.2 },
    checks: [["2026-01-06T13:00:00Z", "require_approval", null]],
  },
  {
    name: "a rule cannot loosen: a pattern that always needs approval still does",
    rules: (agent) => [{ name: `${agent}: lenient`, when: `agent.name == "${agent}"`, then: { decision: "auto_execute" } }],
    body: { action: "docker rm cache" },
    checks: [["2026-01-06T13:00:00Z", "require_approval", null]],
  },
  {
    name: "a new agent waits on prod",
    rules: (agent) => [
      {
        name: `${agent}: new on prod`,
        when: `agent.name == "${agent}" && agent.ageDays < 7.0 && resource.startsWith("prod/")`,
        then: { decision: "require_approval" },
      },
    ],
    body: { resource: "prod/web" },
    checks: [["2026-01-06T13:00:00Z", "require_approval", "new on prod"]],
  },
  {
    name: "args decide, and a missing key sends it to a human",
    rules: (agent) => [{ name: `${agent}: big batch`, when: `agent.name == "${agent}" && args.rows > 1000`, then: { decision: "deny" } }],
    checks: [],
  },
];

const calendars = { "change-freeze": { timeZone: "Europe/Berlin", periods: [{ from: "2026-12-20", to: "2027-01-03", label: "year-end freeze" }] } };

let tool: string;
let adminToken: string;
const agents = new Map<string, { name: string; key: string; id: string }>();

async function addRules(rules: PolicyRule[], extraCalendars: Record<string, unknown> = {}) {
  const current = await getCurrentPolicy(db, { fresh: true });
  const response = await call(putPolicyRoute, {
    token: adminToken,
    body: {
      document: { ...current.document, rules: [...current.document.rules, ...rules], calendars: { ...current.document.calendars, ...extraCalendars } },
      comment: "rules test",
    },
  });
  return response;
}

beforeAll(async () => {
  tool = (await makeTool({ scopes: [], prefix: "dbrestart" })).name;
  adminToken = (await makeUserWithToken("admin")).token;
  const rules: PolicyRule[] = [];
  for (const row of [...rows, { name: "counts", rules: () => [] }]) {
    const { agent, key } = await makeGrantedAgent([tool]);
    agents.set(row.name, { name: agent.name, key, id: agent.id });
    rules.push(...row.rules(agent.name));
  }
  const saved = await addRules(rules, calendars);
  expect(saved.status, JSON.stringify(saved.json)).toBe(201);
});

describe("rules through the API", () => {
  for (const row of rows.filter((r) => r.checks.length > 0)) {
    it(row.name, async () => {
      const agent = agents.get(row.name)!;
      for (const [at, decision, rule] of row.checks) {
        clock.now = new Date(at);
        const response = await propose(agent.key, { tool, confidence: 0.99, ...row.body });
        expect(response.status, at).toBe(201);
        expect(response.json.decision, at).toBe(decision);
        const ruleReasons = (response.json.reasons as { code: string; rule?: string; outcome?: string }[]).filter((r) => r.code === "rule_matched");
        if (rule) expect(ruleReasons.find((r) => r.outcome === decision)?.rule, at).toContain(rule);
        else
          expect(
            ruleReasons.filter((r) => r.outcome === decision && decision !== "auto_execute"),
            at,
          ).toEqual([]);
      }
    });
  }

  it("args decide, and a condition that fails on an action's args counts as matched (this rule refuses, so it is refused)", async () => {
    const agent = agents.get("args decide, and a missing key sends it to a human")!;
    clock.now = new Date("2026-01-06T13:00:00Z");
    expect((await propose(agent.key, { tool, confidence: 0.99, args: { rows: 5000 } })).json.decision).toBe("deny");
    expect((await propose(agent.key, { tool, confidence: 0.99, args: { rows: 10 } })).json.decision).toBe("auto_execute");
    // Leaving out (or mistyping) what the rule reads never gets a weaker answer than the rule's.
    const missing = await propose(agent.key, { tool, confidence: 0.99, args: { table: "users" } });
    expect(missing.json.decision).toBe("deny");
    expect(missing.json.reasons.find((r: { code: string }) => r.code === "rule_failed")).toMatchObject({
      rule: expect.stringContaining("big batch"),
      outcome: "deny",
    });
    const mistyped = await propose(agent.key, { tool, confidence: 0.99, args: { rows: "5000" } });
    expect(mistyped.json.decision).toBe("deny");
  });

  it("recent counts: more than 3 actions in a minute, and a tool that failed today", async () => {
    const { name, key } = agents.get("counts")!;
    const countsTool = (await makeTool({ scopes: [], prefix: "flaky" })).name;
    await db.agent.update({ where: { id: agents.get("counts")!.id }, data: { tools: [tool, countsTool] } });
    const saved = await addRules([
      { name: `${name}: busy`, when: `agent.name == "${name}" && agent.actionsLastMinute > 3`, then: { decision: "require_approval" } },
      {
        name: `${name}: flaky tool`,
        when: `tool.name == "${countsTool}" && tool.failuresLastDay > 0`,
        then: { decision: "require_approval", expiresInMinutes: 5 },
      },
    ]);
    expect(saved.status).toBe(201);
    clock.now = new Date();
    const first = await propose(key, { tool: countsTool, confidence: 0.99 });
    expect(first.json.decision).toBe("auto_execute");
    await call(actionResultRoute, { token: key, params: { id: first.json.id }, body: { status: "failed", failureReason: "flaky" } });
    const afterFailure = await propose(key, { tool: countsTool, confidence: 0.99, action: `other ${unique("x")}` });
    expect(afterFailure.json.decision).toBe("require_approval");
    expect(afterFailure.json.reasons.map((r: { rule?: string }) => r.rule)).toContain(`${name}: flaky tool`);
    // The approval expires when the rule says.
    const expiresIn = new Date(afterFailure.json.approval.expiresAt).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(4 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(5 * 60_000);
    // Two actions so far; the third is fine, the fourth is the fourth in a minute.
    expect((await propose(key, { tool, confidence: 0.99 })).json.decision).toBe("auto_execute");
    const fourth = await propose(key, { tool, confidence: 0.99 });
    expect(fourth.json.decision).toBe("require_approval");
    expect(fourth.json.reasons.map((r: { rule?: string }) => r.rule)).toContain(`${name}: busy`);
  });

  it("tool.failuresLastDay is answered from the partial index of failed actions, not the tool's day of actions", async () => {
    // The count's own query (policy/rule-context.ts) as Prisma sends it, planned on this database.
    // Sequential scans are off: the suite's tables are small enough for one to win otherwise.
    const plan = await db.$transaction(async (tx) => {
      await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
      return tx.$queryRaw<{ "QUERY PLAN": string }[]>`
        EXPLAIN SELECT count(*) FROM actions WHERE tool = ${tool} AND status = 'failed'::"ActionStatus" AND created_at >= ${new Date(Date.now() - 86_400_000)}`;
    });
    const text = plan.map((row) => row["QUERY PLAN"]).join("\n");
    expect(text).toContain("actions_failed_tool_created_idx");
    expect(text).not.toMatch(/Filter: \(status = /);
  });

  it("a burst of concurrent proposals cannot all read a count below a rule's limit", async () => {
    // Counted atomically (policy/rule-inputs.ts): each of the burst gets its own count, this one
    // included, so with `>= 5` the first four run and every one from the fifth on is the rule's.
    const burstTool = (await makeTool({ scopes: [], prefix: "burst" })).name;
    const { agent, key } = await makeGrantedAgent([burstTool]);
    const rule = `${agent.name}: five in a minute`;
    expect((await addRules([{ name: rule, when: `agent.name == "${agent.name}" && agent.actionsLastMinute >= 5`, then: { decision: "deny" } }])).status).toBe(
      201,
    );
    clock.now = new Date();
    const N = 16;
    const answers = await Promise.all(Array.from({ length: N }, () => propose(key, { tool: burstTool, confidence: 0.99 })));
    expect(answers.map((a) => a.status)).toEqual(Array(N).fill(201));
    const byRule = answers.filter((a) => (a.json.reasons as { rule?: string }[]).some((r) => r.rule === rule));
    expect(byRule).toHaveLength(N - 4);
    for (const a of byRule) expect(a.json.decision).toBe("deny");
    expect(answers.filter((a) => a.json.decision === "auto_execute")).toHaveLength(4);
  });

  it("more than 3 actions in a minute pauses the agent: the action is refused, the pause is the rule's and audited", async () => {
    const pausedTool = (await makeTool({ scopes: [], prefix: "pausing" })).name;
    const { agent, key } = await makeGrantedAgent([pausedTool]);
    const rule = `${agent.name}: busy pauses`;
    expect((await addRules([{ name: rule, when: `agent.name == "${agent.name}" && agent.actionsLastMinute > 3`, then: { pauseAgent: true } }])).status).toBe(
      201,
    );
    clock.now = new Date();
    for (let i = 0; i < 3; i++) expect((await propose(key, { tool: pausedTool, confidence: 0.99 })).json.decision).toBe("auto_execute");
    const fourth = await propose(key, { tool: pausedTool, confidence: 0.99 });
    expect(fourth.json.decision).toBe("deny");
    const reason = (fourth.json.reasons as { rule?: string; message: string; outcome?: string }[]).find((r) => r.rule === rule);
    expect(reason).toMatchObject({ outcome: "deny", message: expect.stringContaining("the rule pauses the agent") });
    const [proposed] = await auditRows({ verb: "action.propose", subjectId: fourth.json.id });
    expect(proposed!.data).toMatchObject({ decision: "deny", pauseAgent: rule });

    const control = await db.controlScope.findUniqueOrThrow({ where: { kind_key: { kind: "agent", key: agent.id } } });
    expect(control).toMatchObject({ state: "paused", changedBy: `policy rule "${rule}"`, reason: `policy rule "${rule}"` });
    const [audited] = await auditRows({ verb: "control.pause", subjectId: `agent:${agent.id}` });
    expect(audited).toMatchObject({ actorType: "system", actorLabel: `policy rule "${rule}"` });
    expect(audited!.data).toMatchObject({ automatic: true, rule, actionId: fourth.json.id });
    // Paused: its next action (no task in progress) is refused by the control state, not the rule.
    const fifth = await propose(key, { tool: pausedTool, confidence: 0.99 });
    expect(fifth.json.decision).toBe("deny");
    expect((fifth.json.reasons as { code: string }[]).map((r) => r.code)).not.toContain("rule_matched");
  });

  it("refuses to save a rule that does not compile, naming the rule, the field and the position", async () => {
    const bad = await addRules([
      { name: "typo", when: 'tool.name == "db.restart" &&\n  resourse.startsWith("prod/")', then: { decision: "require_approval" } },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/rules\.\d+\.when \(rule "typo"\): unknown name resourse/);
    expect(bad.json.error.message).toContain("line 2, column 3");
    expect(bad.json.error.details[0]).toMatchObject({ rule: "typo", line: 2, column: 3 });

    const syntax = await addRules([{ name: "half", when: "tool.name ==", then: { decision: "deny" } }]);
    expect(syntax.status).toBe(400);
    expect(syntax.json.error.message).toMatch(/rule "half".*syntax error.*column 11/);

    const window = await addRules([{ name: "window", when: 'inWindow(now, "Mon-Fry 09:00-18:00", "Europe/Berlin")', then: { decision: "deny" } }]);
    expect(window.json.error.message).toMatch(/"Fry" is not a day.*column 15/);

    const calendar = await addRules([{ name: "cal", when: 'inCalendar(now, "holidays")', then: { decision: "deny" } }]);
    expect(calendar.json.error.message).toMatch(/no calendar named "holidays"/);

    const zone = await addRules([], { later: { timeZone: "Mars/Olympus", periods: [] } });
    expect(zone.status).toBe(400);
    expect(zone.json.error.message).toMatch(/calendars\.later\.timeZone.*unknown time zone/);

    const empty = await addRules([{ name: "nothing", when: "true", then: {} } as unknown as PolicyRule]);
    expect(empty.status).toBe(400);
    expect(empty.json.error.message).toMatch(/then.*at least one of decision/);
  });

  it("a version's rules are compiled once: the same version read again is the same document", async () => {
    const first = await getCurrentPolicy(db, { fresh: true });
    const again = await getCurrentPolicy(db, { fresh: true });
    // (Another suite may save a version in between; then there is nothing to compare.)
    if (again.version === first.version) expect(again.document).toBe(first.document);
  });

  it("replay names the rule that would decide each past action", async () => {
    const { name } = agents.get("a weekly window in winter (UTC+1)")!;
    const current = await getCurrentPolicy(db, { fresh: true });
    const draft = {
      ...current.document,
      rules: [
        ...current.document.rules,
        { name: `${name}: refuse prod`, when: `agent.name == "${name}" && resource == "prod/db"`, then: { decision: "deny" as const } },
      ],
    };
    const result = await replayPolicy(db, { document: draft, days: 1 });
    const mine = result.changed.filter((c) => c.agent === name);
    expect(mine.length).toBeGreaterThan(0);
    for (const change of mine) expect(change).toMatchObject({ to: "deny", rule: `${name}: refuse prod` });
    expect(result.decidedByRule[`${name}: refuse prod`]).toBeGreaterThanOrEqual(mine.length);
    // A refusal outranks the window rule's wait: the rule named is the one whose outcome is the decision.
    expect(result.decidedByRule[`${name}: db restarts on prod wait in business hours`]).toBeUndefined();
    await expect(replayPolicy(db, { document: { ...draft, rules: [{ name: "bad", when: "nope", then: { decision: "deny" } }] }, days: 1 })).rejects.toThrow(
      /rule "bad".*unknown name nope/,
    );
  });

  it("a version stored with per-tool overrides is read as rules and still decides as it did", async () => {
    const legacyTool = (await makeTool({ scopes: [], prefix: "legacy" })).name;
    const { agent, key } = await makeGrantedAgent([legacyTool]);
    await db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.policySave})`;
      const latest = await tx.policyVersion.findFirstOrThrow({ orderBy: { version: "desc" } });
      // As a version saved before rules existed: its overrides, no rules or calendars fields.
      const { rules: _rules, calendars: _calendars, ...stored } = (await getCurrentPolicy(tx, { fresh: true })).document;
      const document = {
        ...stored,
        toolOverrides: { [legacyTool]: { thresholds: { autoExecute: 0.99, notify: 0.9 } } },
        agentOverrides: { [agent.name]: { approvalExpiryMinutes: 7 } },
      };
      await tx.policyVersion.create({ data: { version: latest.version + 1, document, comment: "legacy", authorLabel: "test" } });
    });
    forgetCachedPolicy();
    clock.now = new Date();
    const notify = await propose(key, { tool: legacyTool, confidence: 0.97 });
    expect(notify.json.decision).toBe("execute_with_notification");
    const waits = await propose(key, { tool: legacyTool, confidence: 0.85 });
    expect(waits.json.decision).toBe("require_approval");
    const expiresIn = new Date(waits.json.approval.expiresAt).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(6 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(7 * 60_000);
    const read = await call(getPolicyRoute, { token: adminToken });
    expect(read.json.document.toolOverrides).toBeUndefined();
    expect(read.json.document.rules.map((r: PolicyRule) => r.when)).toContain(`tool.name == "${legacyTool}" && confidence < 0.99`);
    // Saving the next version writes the rules, not the overrides.
    const saved = await addRules([]);
    expect(saved.status).toBe(409); // nothing changed: the rules are the same policy
  });
});
