import type { PolicyDocument } from "../schemas/policy";
import type { Reason } from "../schemas/actions";
import { DECISIONS, type AgentRole, type ControlLevel, type Decision, type ToolRisk } from "../schemas/enums";
import { matchingPatterns } from "./approval-patterns";
import { matchesAnyScope } from "./scope-match";
import { compiledRulesOf, evaluateRules } from "../policy/compiled-rules";
import { ruleContext, type RecentCounts } from "../policy/rule-context";

export type ControlState = ControlLevel;

export type EvaluationInput = {
  action: string;
  /** null: the agent named no tool; judged from step 4 on, and capped by untooledMaxDecision. */
  tool: string | null;
  resource?: string | null;
  /** The proposed args: the always-require-approval patterns look inside them too. */
  args?: unknown;
  confidence: number;
  /** Whether the action belongs to a task already in progress (what a pause still allows). */
  taskInProgress: boolean;
  agent: { id?: string; name: string; team?: string; role: AgentRole; tools: readonly string[]; scopes: readonly string[]; createdAt?: Date };
  toolDef: { name: string; scopes: readonly string[]; requiresConfirmation: boolean; risk: ToolRisk; reversible?: boolean } | null;
  control: { state: ControlState; reason?: string | null };
  /** null: not checked (the first pass, and policy replay). */
  rateLimit: { allowed: true } | { allowed: false; retryAfterSeconds: number; limit: string } | null;
  /** Recorded failures similar to this action (negative knowledge), best first. */
  matchingFailures: readonly { subject: string; body: string }[];
  /** The moment the rules see as `now` (the decision's time; a past action's in replay). */
  now?: Date;
  /** Recent counts the policy's rules name (policy/rule-context.ts loads only those). */
  counts?: RecentCounts;
};

export type Evaluation = {
  decision: Decision;
  reasons: Reason[];
  requiredApprovals: number;
  expiryMinutes: number;
  retryAfterSeconds?: number;
  /** A matching rule pauses the agent (`then.pauseAgent`): the service does it after recording the refusal. */
  pauseAgent?: { rule: string };
};

// The decisions are declared least strict first (schema.prisma), so strictness is the position.
const stricter = (a: Decision, b: Decision): Decision => (DECISIONS.indexOf(a) >= DECISIONS.indexOf(b) ? a : b);

/**
 * The guardrail decision, DESIGN.md's evaluation order exactly. Steps 1–3 can refuse outright
 * (the first refusal decides); steps 4–6 each set a floor, and the answer is the strictest.
 * Pure: the service feeds it what it looked up, and policy replay feeds it past actions.
 */
export function evaluateAction(input: EvaluationInput, policy: PolicyDocument): Evaluation {
  const settings = { thresholds: policy.thresholds, expiryMinutes: policy.approvalExpiryMinutes, quorum: policy.criticalQuorum };
  let requiredApprovals = input.tool !== null && input.toolDef?.risk === "critical" ? settings.quorum : 1;
  const deny = (code: string, message: string, extra: Partial<Evaluation> = {}): Evaluation => ({
    decision: "deny",
    reasons: [{ code, message, outcome: "deny" }],
    requiredApprovals: 0,
    expiryMinutes: settings.expiryMinutes,
    ...extra,
  });

  // 1. Control state of the agent's scope.
  const { state, reason: controlReason } = input.control;
  const why = controlReason ? ` (${controlReason})` : "";
  if (state === "killed") return deny("control_killed", `The agent's scope is killed${why}: nothing runs.`);
  if (state === "suspended") return deny("control_suspended", `The agent's scope is suspended${why}: every action is refused.`);
  if (state === "paused" && !input.taskInProgress) {
    return deny("control_paused", `The agent's scope is paused${why}: only actions of tasks already in progress may run.`);
  }

  // 2. Agent role.
  if (input.agent.role === "lead") {
    return deny("lead_cannot_execute", "A lead agent delegates to specialists and never executes actions itself.");
  }

  // 3. Tool registry, grants, scopes, rate limit. An action that names no tool has no registry
  // entry, grant or rate limit: it is judged by the patterns, memory and confidence below and
  // capped by the policy. A resource it does name must still be within the agent's own scopes
  // (leaving the tool out must not widen what the agent may touch).
  const tool = input.tool === null ? null : input.toolDef;
  if (input.tool !== null && !tool) return deny("unknown_tool", `No tool named ${input.tool} is registered.`);
  if (tool && !input.agent.tools.includes(tool.name)) {
    return deny("tool_not_granted", `${input.agent.name} is not granted the tool ${tool.name}.`);
  }
  const scopeSets = [
    { globs: tool?.scopes ?? [], owner: `the tool ${tool?.name}` },
    { globs: tool || input.resource ? input.agent.scopes : [], owner: `the agent ${input.agent.name}` },
  ].filter((s) => s.globs.length > 0);
  if (scopeSets.length > 0 && !input.resource) {
    return deny("resource_required", `The action must name its resource: ${scopeSets[0]!.owner} is limited to ${scopeSets[0]!.globs.join(", ")}.`);
  }
  for (const { globs, owner } of scopeSets) {
    if (!matchesAnyScope(input.resource!, globs)) {
      return deny("resource_out_of_scope", `${input.resource} is outside ${owner}'s scope (${globs.join(", ")}).`);
    }
  }
  if (tool && input.rateLimit && !input.rateLimit.allowed) {
    return deny("rate_limited", `${tool.name} is limited to ${input.rateLimit.limit} for this agent; retry in ${input.rateLimit.retryAfterSeconds} s.`, {
      retryAfterSeconds: input.rateLimit.retryAfterSeconds,
    });
  }

  // The rules (step 4b, policy/compiled-rules.ts) run here, before step 4, only so that a rule
  // asking for more approvers is in the critical-quorum message; each matching rule sets a
  // floor, asks for more approvers or sets the expiry, and none can loosen the steps above.
  const rules =
    policy.rules.length === 0
      ? null
      : evaluateRules(
          compiledRulesOf(policy),
          () =>
            ruleContext({
              agent: input.agent,
              tool: tool ?? null,
              resource: input.resource,
              action: input.action,
              args: input.args,
              confidence: input.confidence,
              controlState: state,
              now: input.now ?? new Date(),
              counts: input.counts,
            }),
          { tool: tool?.name ?? "", agent: input.agent.name },
        );
  if (rules?.expiryMinutes != null) settings.expiryMinutes = rules.expiryMinutes;
  if (rules?.denied) {
    return {
      decision: "deny",
      reasons: rules.reasons.filter((r) => r.outcome === "deny"),
      requiredApprovals: 0,
      expiryMinutes: settings.expiryMinutes,
      ...(rules.pauseAgent !== null ? { pauseAgent: { rule: rules.pauseAgent } } : {}),
    };
  }
  if (rules?.requiredApprovals != null) {
    settings.quorum = Math.max(settings.quorum, rules.requiredApprovals);
    requiredApprovals = Math.max(requiredApprovals, rules.requiredApprovals);
  }

  const reasons: Reason[] = [];
  let floor: Decision = "auto_execute";

  // 4. Always-require-approval patterns (action, tool, resource and args, normalized), tools that
  // always need confirmation, critical tools (a quorum of people), and actions naming no tool.
  const matched = matchingPatterns(policy.alwaysRequireApproval, input);
  if (matched.length > 0) {
    floor = stricter(floor, "require_approval");
    reasons.push({
      code: "always_requires_approval",
      // A phrase reads at a glance; its regular-expression spelling is named only when it matched alone.
      message: `The action matches ${readablePatterns(matched)
        .map((m) => `"${m}"`)
        .join(", ")}, which always needs a human.`,
      outcome: "require_approval",
    });
  }
  if (tool?.requiresConfirmation) {
    floor = stricter(floor, "require_approval");
    reasons.push({ code: "tool_requires_confirmation", message: `The tool ${tool.name} always needs a human's confirmation.`, outcome: "require_approval" });
  }
  if (tool?.risk === "critical") {
    floor = stricter(floor, "require_approval");
    reasons.push({
      code: "critical_tool_quorum",
      message: `The tool ${tool.name} is critical: ${settings.quorum} distinct approver(s) must approve, whatever the confidence (the agent's owner does not count).`,
      outcome: "require_approval",
    });
  }
  if (!tool) {
    const cap = policy.untooledMaxDecision;
    if (cap === "deny") return deny("no_tool", "No tool was named, and the policy refuses actions that name no tool.");
    floor = stricter(floor, cap);
    reasons.push({
      code: "no_tool",
      message: `No tool was named: judged by the patterns, memory and confidence, and by policy it goes no further than ${cap.replaceAll("_", " ")}.`,
      outcome: cap,
    });
  }

  // 4b. Rules (evaluated above): their floors and reasons join the others'.
  if (rules) {
    if (rules.floor) floor = stricter(floor, rules.floor);
    reasons.push(...rules.reasons);
  }

  // 5. Negative knowledge: a similar past failure.
  if (input.matchingFailures.length > 0) {
    const lowered: Decision = policy.onMatchingFailure === "require_approval" ? "require_approval" : "execute_with_notification";
    floor = stricter(floor, lowered);
    const first = input.matchingFailures[0]!;
    reasons.push({
      code: "matching_failure",
      message: `A similar action failed before (${first.subject}): ${first.body.slice(0, 300)}`,
      outcome: lowered,
    });
  }

  // 6. Confidence against the thresholds (per agent, else per tool, else the policy's).
  const { autoExecute, notify } = settings.thresholds;
  const c = input.confidence;
  const byConfidence: Decision = c >= autoExecute ? "auto_execute" : c >= notify ? "execute_with_notification" : "require_approval";
  reasons.push({
    code: `confidence_${byConfidence}`,
    message:
      byConfidence === "auto_execute"
        ? `Confidence ${c} is at or above ${autoExecute}: may run on its own.`
        : byConfidence === "execute_with_notification"
          ? `Confidence ${c} is at or above ${notify} but below ${autoExecute}: runs, and people are notified.`
          : `Confidence ${c} is below ${notify}: a human decides.`,
    outcome: byConfidence,
  });

  const decision = stricter(floor, byConfidence);
  return {
    decision,
    reasons,
    requiredApprovals: decision === "require_approval" ? requiredApprovals : 0,
    expiryMinutes: settings.expiryMinutes,
  };
}

/** The matched patterns worth showing a person: the phrases, or the regular expressions when no phrase matched. */
function readablePatterns(matched: readonly string[]): readonly string[] {
  const phrases = matched.filter((m) => !m.startsWith("re:"));
  return phrases.length > 0 ? phrases : matched;
}
