import { describe, expect, it } from "vitest";
import { evaluateAction, type EvaluationInput } from "../../server/guardrails/evaluate-action";
import { DEFAULT_POLICY, ZPolicyDocument, type PolicyDocument } from "../../server/schemas/policy";

type Tool = NonNullable<EvaluationInput["toolDef"]>;
const low: Tool = { name: "shell.run", scopes: [], requiresConfirmation: false, risk: "low" };
const critical: Tool = { name: "db.drop", scopes: ["staging/*"], requiresConfirmation: false, risk: "critical" };

function input(overrides: Partial<EvaluationInput>): EvaluationInput {
  const toolDef = overrides.toolDef === undefined ? low : overrides.toolDef;
  return {
    action: "restart the cache",
    tool: toolDef?.name ?? null,
    confidence: 0.99,
    taskInProgress: false,
    agent: { name: "ops-1", role: "specialist", tools: ["shell.run", "db.drop"], scopes: [] },
    toolDef,
    control: { state: "running" },
    rateLimit: null,
    matchingFailures: [],
    ...overrides,
  };
}

const failure = [{ subject: "restart the cache", body: "it lost the sessions" }];
const codes = (e: { reasons: { code: string }[] }) => e.reasons.map((r) => r.code);

describe("evaluateAction: critical tools", () => {
  it.each([
    { name: "at 0.99 with nothing else matching", over: {}, policy: {}, quorum: 2 },
    { name: "when a pattern also matched", over: { action: "drop table users" }, policy: {}, quorum: 2 },
    { name: "when the tool also requires confirmation", over: { toolDef: { ...critical, requiresConfirmation: true } }, policy: {}, quorum: 2 },
    { name: "when a past failure also matched", over: { matchingFailures: failure }, policy: {}, quorum: 2 },
    { name: "at low confidence", over: { confidence: 0.2 }, policy: {}, quorum: 2 },
    { name: "with the policy's quorum", over: {}, policy: { criticalQuorum: 3 }, quorum: 3 },
    { name: "with the tool's own quorum", over: {}, policy: { toolOverrides: { "db.drop": { quorum: 4 } } }, quorum: 4 },
  ])("needs the quorum $name", ({ over, policy, quorum }) => {
    const evaluation = evaluateAction(input({ toolDef: critical, resource: "staging/db", ...over }), ZPolicyDocument.parse({ ...DEFAULT_POLICY, ...policy }));
    expect(evaluation.decision).toBe("require_approval");
    expect(evaluation.requiredApprovals).toBe(quorum);
    const reason = evaluation.reasons.find((r) => r.code === "critical_tool_quorum");
    expect(reason?.message).toContain(`${quorum} distinct approver(s)`);
  });

  it("refusals before step 4 still refuse a critical tool", () => {
    expect(evaluateAction(input({ toolDef: critical, resource: "production/db" }), DEFAULT_POLICY)).toMatchObject({ decision: "deny", requiredApprovals: 0 });
    expect(evaluateAction(input({ toolDef: critical, resource: "staging/db", control: { state: "suspended" } }), DEFAULT_POLICY).decision).toBe("deny");
  });
});

describe("evaluateAction: an action that names no tool", () => {
  const untooled = (over: Partial<EvaluationInput> = {}) => input({ tool: null, toolDef: null, ...over });

  it.each([
    { name: "0.99 is capped at a notification", over: {}, policy: {}, decision: "execute_with_notification" },
    { name: "0.82 runs with a notification", over: { confidence: 0.82 }, policy: {}, decision: "execute_with_notification" },
    { name: "0.5 waits for a human", over: { confidence: 0.5 }, policy: {}, decision: "require_approval" },
    { name: "a pattern sends it to a human", over: { action: "docker  rm cache" }, policy: {}, decision: "require_approval" },
    {
      name: "a past failure with the policy's escalation sends it to a human",
      over: { matchingFailures: failure },
      policy: { onMatchingFailure: "require_approval" },
      decision: "require_approval",
    },
    { name: "a policy that lets it run on its own", over: {}, policy: { untooledMaxDecision: "auto_execute" }, decision: "auto_execute" },
    { name: "a policy that always asks a human", over: {}, policy: { untooledMaxDecision: "require_approval" }, decision: "require_approval" },
    { name: "a policy that refuses it", over: {}, policy: { untooledMaxDecision: "deny" }, decision: "deny" },
  ])("$name", ({ over, policy, decision }) => {
    const evaluation = evaluateAction(untooled(over), { ...DEFAULT_POLICY, ...policy } as PolicyDocument);
    expect(evaluation.decision).toBe(decision);
    expect(codes(evaluation)).toContain("no_tool");
    expect(evaluation.requiredApprovals).toBe(decision === "require_approval" ? 1 : 0);
  });

  it("is still refused for the control state and for a lead, before anything else", () => {
    expect(codes(evaluateAction(untooled({ control: { state: "killed" } }), DEFAULT_POLICY))).toEqual(["control_killed"]);
    expect(codes(evaluateAction(untooled({ control: { state: "paused" } }), DEFAULT_POLICY))).toEqual(["control_paused"]);
    expect(codes(evaluateAction(untooled({ agent: { name: "lead-1", role: "lead", tools: [], scopes: [] } }), DEFAULT_POLICY))).toEqual([
      "lead_cannot_execute",
    ]);
  });

  it("needs no registry entry, grant or resource, but a resource it names stays within the agent's scopes", () => {
    const scoped = { name: "ops-2", role: "specialist" as const, tools: [], scopes: ["staging/*"] };
    expect(evaluateAction(untooled({ agent: scoped }), DEFAULT_POLICY).decision).toBe("execute_with_notification");
    expect(evaluateAction(untooled({ agent: scoped, resource: "staging/web" }), DEFAULT_POLICY).decision).toBe("execute_with_notification");
    expect(codes(evaluateAction(untooled({ agent: scoped, resource: "production/db" }), DEFAULT_POLICY))).toEqual(["resource_out_of_scope"]);
  });
});
