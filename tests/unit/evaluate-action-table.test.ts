import { describe, expect, it } from "vitest";
import { evaluateAction, type EvaluationInput } from "../../server/guardrails/evaluate-action";
import type { Decision } from "../../server/schemas/enums";
import type { z } from "zod";
import { DEFAULT_POLICY, ZPolicyDocument } from "../../server/schemas/policy";

/*
 * evaluateAction, one row per case: the input (changes to a baseline proposal), the policy
 * (changes to DEFAULT_POLICY: thresholds 0.95 / 0.7, quorum 2, untooled actions capped at a
 * notification, a matching failure lowers to a notification), and the whole expected answer:
 * the decision, every reason code in order, the approvals needed, and where it matters the
 * retry delay, the expiry or words the message must carry. The baseline is a specialist
 * granted shell.run and db.drop, proposing shell.run (low risk, no scopes) at 0.99 while running.
 */

type Tool = NonNullable<EvaluationInput["toolDef"]>;
const shell: Tool = { name: "shell.run", scopes: [], requiresConfirmation: false, risk: "low" };
const scopedShell: Tool = { ...shell, scopes: ["staging/*"] };
const confirmShell: Tool = { ...shell, requiresConfirmation: true };
const highShell: Tool = { ...shell, risk: "high" };
const dbDrop: Tool = { name: "db.drop", scopes: ["staging/*"], requiresConfirmation: false, risk: "critical" };
const specialist: EvaluationInput["agent"] = { name: "ops-1", role: "specialist", tools: ["shell.run", "db.drop"], scopes: [] };
const failure = [{ subject: "restart the cache", body: "it lost the sessions" }];

function proposal(changes: Partial<EvaluationInput>): EvaluationInput {
  const toolDef = changes.toolDef === undefined ? shell : changes.toolDef;
  return {
    action: "restart the cache",
    tool: toolDef?.name ?? null,
    confidence: 0.99,
    taskInProgress: false,
    agent: specialist,
    toolDef,
    control: { state: "running" },
    rateLimit: null,
    matchingFailures: [],
    ...changes,
  };
}
const untooled = (changes: Partial<EvaluationInput> = {}) => proposal({ tool: null, toolDef: null, ...changes });

type Row = {
  name: string;
  input: EvaluationInput;
  /** Changes to DEFAULT_POLICY, as stored (older versions' overrides included). */
  policy?: Partial<z.input<typeof ZPolicyDocument>>;
  decision: Decision;
  codes: string[];
  /** Default: the policy's quorum for a critical tool's require_approval, 1 for any other, 0 otherwise. */
  requiredApprovals?: number;
  retryAfterSeconds?: number;
  expiryMinutes?: number;
  /** Words the first reason's message must contain. */
  says?: string;
};

const auto = ["confidence_auto_execute"];
const rows: Row[] = [
  // 1. Control state: refusals first, before anything else is looked at.
  { name: "running: 0.99 runs on its own", input: proposal({}), decision: "auto_execute", codes: auto },
  {
    name: "killed: refused, with the kill's reason",
    input: proposal({ control: { state: "killed", reason: "incident 42" } }),
    decision: "deny",
    codes: ["control_killed"],
    says: "incident 42",
  },
  { name: "suspended: refused", input: proposal({ control: { state: "suspended" } }), decision: "deny", codes: ["control_suspended"] },
  { name: "paused, no task in progress: refused", input: proposal({ control: { state: "paused" } }), decision: "deny", codes: ["control_paused"] },
  {
    name: "paused, its task in progress: judged as usual",
    input: proposal({ control: { state: "paused" }, taskInProgress: true }),
    decision: "auto_execute",
    codes: auto,
  },
  {
    name: "suspended even with a task in progress",
    input: proposal({ control: { state: "suspended" }, taskInProgress: true }),
    decision: "deny",
    codes: ["control_suspended"],
  },
  {
    name: "killed before the lead check",
    input: proposal({ control: { state: "killed" }, agent: { ...specialist, role: "lead" } }),
    decision: "deny",
    codes: ["control_killed"],
  },
  {
    name: "killed before an unknown tool",
    input: proposal({ tool: "nope", toolDef: null, control: { state: "killed" } }),
    decision: "deny",
    codes: ["control_killed"],
  },

  // 2. Agent role.
  { name: "a lead never executes", input: proposal({ agent: { ...specialist, role: "lead" } }), decision: "deny", codes: ["lead_cannot_execute"] },
  {
    name: "a lead never executes, even untooled",
    input: untooled({ agent: { ...specialist, role: "lead" } }),
    decision: "deny",
    codes: ["lead_cannot_execute"],
  },
  {
    name: "a lead is refused before an unknown tool",
    input: proposal({ tool: "nope", toolDef: null, agent: { ...specialist, role: "lead" } }),
    decision: "deny",
    codes: ["lead_cannot_execute"],
  },

  // 3. Registry, grants, scopes.
  { name: "an unregistered tool", input: proposal({ tool: "nope", toolDef: null }), decision: "deny", codes: ["unknown_tool"], says: "nope" },
  { name: "a tool not granted to the agent", input: proposal({ agent: { ...specialist, tools: [] } }), decision: "deny", codes: ["tool_not_granted"] },
  { name: "a scoped tool without a resource", input: proposal({ toolDef: scopedShell }), decision: "deny", codes: ["resource_required"], says: "staging/*" },
  {
    name: "a scoped tool outside its scope",
    input: proposal({ toolDef: scopedShell, resource: "production/db" }),
    decision: "deny",
    codes: ["resource_out_of_scope"],
  },
  { name: "a scoped tool within its scope", input: proposal({ toolDef: scopedShell, resource: "staging/db" }), decision: "auto_execute", codes: auto },
  {
    name: "a scoped agent without a resource",
    input: proposal({ agent: { ...specialist, scopes: ["staging/*"] } }),
    decision: "deny",
    codes: ["resource_required"],
  },
  {
    name: "a scoped agent outside its scope",
    input: proposal({ agent: { ...specialist, scopes: ["staging/*"] }, resource: "production/web" }),
    decision: "deny",
    codes: ["resource_out_of_scope"],
  },
  {
    name: "within the tool's scope but outside the agent's",
    input: proposal({ toolDef: scopedShell, agent: { ...specialist, scopes: ["staging/web"] }, resource: "staging/db" }),
    decision: "deny",
    codes: ["resource_out_of_scope"],
    says: "ops-1",
  },
  {
    name: "untooled, the agent unscoped: any resource",
    input: untooled({ resource: "production/db" }),
    decision: "execute_with_notification",
    codes: ["no_tool", ...auto],
  },
  {
    name: "untooled, outside the agent's scope",
    input: untooled({ agent: { ...specialist, scopes: ["staging/*"] }, resource: "production/db" }),
    decision: "deny",
    codes: ["resource_out_of_scope"],
  },
  {
    name: "untooled, a scoped agent naming no resource",
    input: untooled({ agent: { ...specialist, scopes: ["staging/*"] } }),
    decision: "execute_with_notification",
    codes: ["no_tool", ...auto],
  },

  // 3. Rate limit: after the scopes, only for a named tool.
  {
    name: "over the tool's rate limit",
    input: proposal({ rateLimit: { allowed: false, retryAfterSeconds: 12, limit: "10/minute" } }),
    decision: "deny",
    codes: ["rate_limited"],
    retryAfterSeconds: 12,
    says: "10/minute",
  },
  { name: "within the rate limit", input: proposal({ rateLimit: { allowed: true } }), decision: "auto_execute", codes: auto },
  {
    name: "out of scope is said before the rate limit",
    input: proposal({ toolDef: scopedShell, resource: "production/db", rateLimit: { allowed: false, retryAfterSeconds: 5, limit: "1/second" } }),
    decision: "deny",
    codes: ["resource_out_of_scope"],
  },

  // 6. Thresholds, their edges, and the overrides (agent over tool over policy).
  { name: "exactly the auto threshold", input: proposal({ confidence: 0.95 }), decision: "auto_execute", codes: auto },
  {
    name: "just below the auto threshold",
    input: proposal({ confidence: 0.9499 }),
    decision: "execute_with_notification",
    codes: ["confidence_execute_with_notification"],
  },
  {
    name: "exactly the notify threshold",
    input: proposal({ confidence: 0.7 }),
    decision: "execute_with_notification",
    codes: ["confidence_execute_with_notification"],
  },
  { name: "just below the notify threshold", input: proposal({ confidence: 0.6999 }), decision: "require_approval", codes: ["confidence_require_approval"] },
  { name: "zero confidence", input: proposal({ confidence: 0 }), decision: "require_approval", codes: ["confidence_require_approval"] },
  // Overrides of versions saved before rules are read as rules, which only tighten.
  {
    name: "the tool's stricter thresholds (an old override, now a rule)",
    input: proposal({ confidence: 0.97 }),
    policy: { toolOverrides: { "shell.run": { thresholds: { autoExecute: 0.99, notify: 0.9 } } } },
    decision: "execute_with_notification",
    codes: ["rule_matched", "confidence_auto_execute"],
    says: "tool shell.run: runs alone only at confidence 0.99 or above",
  },
  {
    name: "an agent's looser thresholds no longer loosen its tool's (rules only tighten)",
    input: proposal({ confidence: 0.6 }),
    policy: {
      toolOverrides: { "shell.run": { thresholds: { autoExecute: 0.99, notify: 0.9 } } },
      agentOverrides: { "ops-1": { thresholds: { autoExecute: 0.5, notify: 0.3 } } },
    },
    decision: "require_approval",
    codes: ["rule_matched", "rule_matched", "confidence_require_approval"],
  },
  {
    name: "the agent's expiry",
    input: proposal({ confidence: 0.1 }),
    policy: { agentOverrides: { "ops-1": { approvalExpiryMinutes: 5 } } },
    decision: "require_approval",
    codes: ["rule_matched", "confidence_require_approval"],
    expiryMinutes: 5,
  },
  {
    name: "the policy's expiry",
    input: proposal({ confidence: 0.1 }),
    decision: "require_approval",
    codes: ["confidence_require_approval"],
    expiryMinutes: 30,
  },

  // 4. Always-require-approval patterns: action text, spellings, args.
  {
    name: "a pattern in the action",
    input: proposal({ action: "docker rm cache" }),
    decision: "require_approval",
    codes: ["always_requires_approval", ...auto],
    says: "docker rm",
  },
  {
    name: "a pattern, spelled with global options",
    input: proposal({ action: "git -C repo push origin main --force" }),
    decision: "require_approval",
    codes: ["always_requires_approval", ...auto],
  },
  {
    name: "a pattern in the args",
    input: proposal({ args: { sql: "DROP TABLE users" } }),
    decision: "require_approval",
    codes: ["always_requires_approval", ...auto],
  },
  {
    name: "a pattern in camel case",
    input: proposal({ action: "sendEmail to all customers" }),
    decision: "require_approval",
    codes: ["always_requires_approval", ...auto],
  },
  { name: "a near miss is no match", input: proposal({ action: "docker ps" }), decision: "auto_execute", codes: auto },
  {
    name: "a pattern and low confidence",
    input: proposal({ action: "docker rm cache", confidence: 0.1 }),
    decision: "require_approval",
    codes: ["always_requires_approval", "confidence_require_approval"],
  },

  // 4. Tools that always need confirmation, high and critical risk.
  {
    name: "a tool that requires confirmation",
    input: proposal({ toolDef: confirmShell }),
    decision: "require_approval",
    codes: ["tool_requires_confirmation", ...auto],
  },
  { name: "a high-risk tool is judged by confidence", input: proposal({ toolDef: highShell }), decision: "auto_execute", codes: auto },
  {
    name: "a critical tool needs the quorum",
    input: proposal({ toolDef: dbDrop, resource: "staging/db" }),
    decision: "require_approval",
    codes: ["critical_tool_quorum", ...auto],
    requiredApprovals: 2,
  },
  {
    name: "a critical tool with the policy's quorum",
    input: proposal({ toolDef: dbDrop, resource: "staging/db" }),
    policy: { criticalQuorum: 3 },
    decision: "require_approval",
    codes: ["critical_tool_quorum", ...auto],
    requiredApprovals: 3,
    says: "3 distinct approver(s)",
  },
  {
    name: "a critical tool with the agent's quorum",
    input: proposal({ toolDef: dbDrop, resource: "staging/db" }),
    policy: { toolOverrides: { "db.drop": { quorum: 4 } }, agentOverrides: { "ops-1": { quorum: 5 } } },
    decision: "require_approval",
    codes: ["critical_tool_quorum", "rule_matched", "rule_matched", ...auto],
    requiredApprovals: 5,
  },
  {
    name: "a critical tool outside its scope is refused",
    input: proposal({ toolDef: dbDrop, resource: "production/db" }),
    decision: "deny",
    codes: ["resource_out_of_scope"],
    requiredApprovals: 0,
  },

  // 5. A matching recorded failure.
  {
    name: "a past failure lowers to a notification",
    input: proposal({ matchingFailures: failure }),
    decision: "execute_with_notification",
    codes: ["matching_failure", ...auto],
    says: "lost the sessions",
  },
  {
    name: "a past failure, the policy escalating",
    input: proposal({ matchingFailures: failure }),
    policy: { onMatchingFailure: "require_approval" },
    decision: "require_approval",
    codes: ["matching_failure", ...auto],
  },
  {
    name: "a past failure and low confidence",
    input: proposal({ matchingFailures: failure, confidence: 0.3 }),
    decision: "require_approval",
    codes: ["matching_failure", "confidence_require_approval"],
  },

  // Every floor at once: the strictest wins, and every reason is given in the evaluation's order.
  {
    name: "a pattern, confirmation, a critical tool and a past failure",
    input: proposal({ action: "docker rm db", toolDef: { ...dbDrop, requiresConfirmation: true }, resource: "staging/db", matchingFailures: failure }),
    decision: "require_approval",
    codes: ["always_requires_approval", "tool_requires_confirmation", "critical_tool_quorum", "matching_failure", ...auto],
    requiredApprovals: 2,
  },

  // An action that names no tool: capped by the policy.
  { name: "untooled at 0.99: a notification at most", input: untooled(), decision: "execute_with_notification", codes: ["no_tool", ...auto] },
  { name: "untooled, the policy refusing it", input: untooled(), policy: { untooledMaxDecision: "deny" }, decision: "deny", codes: ["no_tool"] },
  {
    name: "untooled, the policy letting it run",
    input: untooled(),
    policy: { untooledMaxDecision: "auto_execute" },
    decision: "auto_execute",
    codes: ["no_tool", ...auto],
  },
  {
    name: "untooled and a pattern",
    input: untooled({ action: "docker rm cache" }),
    decision: "require_approval",
    codes: ["always_requires_approval", "no_tool", ...auto],
  },
  {
    name: "untooled is never rate limited",
    input: untooled({ rateLimit: { allowed: false, retryAfterSeconds: 9, limit: "1/minute" } }),
    decision: "execute_with_notification",
    codes: ["no_tool", ...auto],
  },
];

describe("evaluateAction: the table of cases", () => {
  it.each(rows)("$name", (row) => {
    // Read as a stored version is: older versions' overrides become rules (policy-overrides.ts).
    const policy = ZPolicyDocument.parse({ ...DEFAULT_POLICY, ...row.policy });
    const answer = evaluateAction(row.input, policy);
    const critical = row.input.toolDef?.risk === "critical" && row.input.tool !== null;
    const approvals = row.requiredApprovals ?? (row.decision === "require_approval" ? (critical ? policy.criticalQuorum : 1) : 0);
    expect({ decision: answer.decision, codes: answer.reasons.map((r) => r.code), requiredApprovals: answer.requiredApprovals }).toEqual({
      decision: row.decision,
      codes: row.codes,
      requiredApprovals: approvals,
    });
    expect(answer.retryAfterSeconds).toBe(row.retryAfterSeconds);
    if (row.expiryMinutes !== undefined) expect(answer.expiryMinutes).toBe(row.expiryMinutes);
    if (row.says) expect(answer.reasons[0]!.message).toContain(row.says);
    // Every reason explains itself to a person.
    for (const reason of answer.reasons) expect(reason.message.length).toBeGreaterThan(10);
  });

  it("covers every decision and every refusal code", () => {
    const decisions = new Set(rows.map((r) => r.decision));
    const codes = new Set(rows.flatMap((r) => r.codes));
    expect([...decisions].sort()).toEqual(["auto_execute", "deny", "execute_with_notification", "require_approval"]);
    for (const code of [
      "control_killed",
      "control_suspended",
      "control_paused",
      "lead_cannot_execute",
      "unknown_tool",
      "tool_not_granted",
      "resource_required",
      "resource_out_of_scope",
      "rate_limited",
      "always_requires_approval",
      "tool_requires_confirmation",
      "critical_tool_quorum",
      "no_tool",
      "matching_failure",
      "confidence_auto_execute",
      "confidence_execute_with_notification",
      "confidence_require_approval",
    ]) {
      expect(codes).toContain(code);
    }
  });
});
