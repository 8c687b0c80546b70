import { describe, expect, it } from "vitest";
import { countsNeeded } from "../../server/policy/rule-inputs";
import { DEFAULT_POLICY, type PolicyDocument } from "../../server/schemas/policy";
import type { PolicyRule } from "../../server/schemas/policy-rules";

/*
 * Which recent counts a proposal costs (policy/rule-inputs.ts): only those a rule that can apply
 * to it names, in the policy in force or in the running shadow's draft. `tool.failuresLastDay`
 * is a query per proposal: a rule guarded by `tool.name == "x"` costs it for x alone. The
 * agent's count counts all of the agent's proposals, so it is needed whatever the tool.
 */
const withRules = (rules: PolicyRule[]): PolicyDocument => ({ ...DEFAULT_POLICY, rules });
const flaky: PolicyRule = { name: "flaky", when: 'tool.name == "db.restart" && tool.failuresLastDay > 0', then: { decision: "require_approval" } };
const busy: PolicyRule = { name: "busy", when: 'agent.name == "fixer" && agent.actionsLastMinute > 20', then: { decision: "deny" } };
const busyRestarts: PolicyRule = { name: "busy restarts", when: 'tool.name == "db.restart" && agent.actionsLastMinute > 20', then: { decision: "deny" } };
const anyFailure: PolicyRule = { name: "any failure", when: "tool.failuresLastDay > 3", then: { decision: "require_approval" } };

describe("the counts a proposal needs", () => {
  it("none without a rule naming one", () => {
    expect(countsNeeded([DEFAULT_POLICY, null], { agentName: "fixer", tool: "db.restart" })).toEqual({
      agentActionsLastMinute: false,
      toolFailuresLastDay: false,
    });
  });

  it("a tool's failures only for the tool the rule names, or for any tool when it names none", () => {
    const policy = withRules([flaky]);
    expect(countsNeeded([policy], { agentName: "fixer", tool: "db.restart" }).toolFailuresLastDay).toBe(true);
    expect(countsNeeded([policy], { agentName: "fixer", tool: "cache.flush" }).toolFailuresLastDay).toBe(false);
    expect(countsNeeded([policy], { agentName: "fixer", tool: null }).toolFailuresLastDay).toBe(false);
    expect(countsNeeded([withRules([anyFailure])], { agentName: "fixer", tool: "cache.flush" }).toolFailuresLastDay).toBe(true);
  });

  it("the agent's count for every proposal of an agent a rule can apply to, whatever the tool", () => {
    expect(countsNeeded([withRules([busy])], { agentName: "fixer", tool: "cache.flush" }).agentActionsLastMinute).toBe(true);
    expect(countsNeeded([withRules([busy])], { agentName: "other", tool: "cache.flush" }).agentActionsLastMinute).toBe(false);
    expect(countsNeeded([withRules([busyRestarts])], { agentName: "other", tool: "cache.flush" }).agentActionsLastMinute).toBe(true);
  });

  it("the shadow draft's rules count as the enforced policy's", () => {
    expect(countsNeeded([DEFAULT_POLICY, withRules([flaky])], { agentName: "fixer", tool: "db.restart" }).toolFailuresLastDay).toBe(true);
  });
});
