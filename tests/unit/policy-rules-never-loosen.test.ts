import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateAction, type EvaluationInput } from "../../server/guardrails/evaluate-action";
import { DECISIONS } from "../../server/schemas/enums";
import { DEFAULT_POLICY, type PolicyDocument } from "../../server/schemas/policy";
import type { PolicyRule } from "../../server/schemas/policy-rules";

/*
 * The contract's promise for rules: whatever the rule set, the decision is at least as strict as
 * the same policy without rules, and an action that waits needs at least as many approvers.
 * Conditions are drawn from a pool that matches sometimes, always, never, or fails to evaluate.
 */

const CONDITIONS = [
  "true",
  "false",
  'resource.startsWith("prod/")',
  "confidence < 0.8",
  'tool.risk == "critical"',
  'inWindow(now, "Mon-Fri 09:00-18:00", "Europe/Berlin")',
  'inWindow(now, "Fri 22:00-02:00", "UTC")',
  'inCalendar(now, "freeze")',
  'now.getDayOfWeek("America/New_York") == 2',
  "args.rows > 10",
  'agent.role == "specialist" && agent.ageDays < 7.0',
  "agent.actionsLastMinute > 2 || tool.failuresLastDay > 0",
  'action.contains("restart")',
];

const arbRule = fc.record({
  when: fc.constantFrom(...CONDITIONS),
  then: fc
    .record(
      {
        decision: fc.constantFrom(...DECISIONS),
        requiredApprovals: fc.integer({ min: 1, max: 10 }),
        expiresInMinutes: fc.integer({ min: 1, max: 600 }),
        notify: fc.boolean(),
      },
      { requiredKeys: [] },
    )
    .filter((t) => t.decision !== undefined || t.requiredApprovals !== undefined || t.expiresInMinutes !== undefined || t.notify === true),
});

const arbInput: fc.Arbitrary<EvaluationInput> = fc.record({
  action: fc.constantFrom("restart the cache", "docker rm web", "send_email to all", "deploy"),
  tool: fc.constant("db.restart"),
  resource: fc.constantFrom("prod/db", "staging/db", null),
  args: fc.option(fc.record({ rows: fc.integer({ min: 0, max: 100 }) }, { requiredKeys: [] }), { nil: undefined }),
  confidence: fc.double({ min: 0, max: 1, noNaN: true }),
  taskInProgress: fc.boolean(),
  agent: fc.record({
    name: fc.constant("ops-1"),
    role: fc.constantFrom("specialist" as const, "lead" as const),
    tools: fc.constantFrom(["db.restart"], []),
    scopes: fc.constantFrom([], ["prod/*"], ["staging/*"]),
    createdAt: fc.date({ min: new Date("2025-01-01"), max: new Date("2026-12-31"), noInvalidDate: true }),
  }),
  toolDef: fc.option(
    fc.record({
      name: fc.constant("db.restart"),
      scopes: fc.constantFrom([], ["prod/*"]),
      requiresConfirmation: fc.boolean(),
      risk: fc.constantFrom("low" as const, "high" as const, "critical" as const),
    }),
    { nil: null },
  ),
  control: fc.record({ state: fc.constantFrom("running" as const, "paused" as const, "suspended" as const) }),
  rateLimit: fc.constant(null),
  matchingFailures: fc.constantFrom([], [{ subject: "restart", body: "it broke" }]),
  now: fc.date({ min: new Date("2026-01-01"), max: new Date("2027-12-31"), noInvalidDate: true }),
  counts: fc.record({ agentActionsLastMinute: fc.nat(5), toolFailuresLastDay: fc.nat(2) }),
});

const strictness = (d: (typeof DECISIONS)[number]) => DECISIONS.indexOf(d);

describe("rules never loosen a decision", () => {
  it("for any rule set and any proposal, the decision is at least as strict as without rules", () => {
    const base: PolicyDocument = {
      ...DEFAULT_POLICY,
      calendars: { freeze: { timeZone: "Europe/Berlin", periods: [{ from: "2026-12-20", to: "2027-01-03" }] } },
    };
    fc.assert(
      fc.property(fc.array(arbRule, { maxLength: 6 }), arbInput, (rules, input) => {
        const named: PolicyRule[] = rules.map((r, i) => ({ name: `rule ${i}`, ...r }));
        const without = evaluateAction(input, base);
        const withRules = evaluateAction(input, { ...base, rules: named });
        expect(strictness(withRules.decision)).toBeGreaterThanOrEqual(strictness(without.decision));
        if (without.decision === "require_approval" && withRules.decision === "require_approval") {
          expect(withRules.requiredApprovals).toBeGreaterThanOrEqual(without.requiredApprovals);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
