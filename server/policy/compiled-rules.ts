import type { CelInput } from "@bufbuild/cel";
import type { Reason } from "../schemas/actions";
import { DECISIONS, type Decision } from "../schemas/enums";
import type { PolicyDocument } from "../schemas/policy";
import type { PolicyRule } from "../schemas/policy-rules";
import { AppError } from "../errors";
import { compileCondition, RuleExpressionError, ruleEnvironment, type CompiledCondition, type CountNeeds } from "./rule-expressions";
import { timeZoneProblem } from "./rule-windows";

/*
 * A policy's rules, compiled once and kept beside the document they came from: the hot path
 * runs planned CEL functions (microseconds each), never the parser. Drafts (replay, validate)
 * are compiled the same way and dropped with their document.
 */

export type CompiledRule = { rule: PolicyRule; index: number; condition: CompiledCondition; floor: Decision | null };
export type CompiledRuleSet = { rules: readonly CompiledRule[]; needs: CountNeeds };

/** One problem with one rule: which rule, which field, and where in its condition. */
export type RuleProblem = { rule: string; index: number; field: string; message: string; offset?: number; line?: number; column?: number };

const stricter = (a: Decision, b: Decision): Decision => (DECISIONS.indexOf(a) >= DECISIONS.indexOf(b) ? a : b);

/** The least strict decision a matching rule allows (null: it changes no decision, only the expiry). */
export function ruleFloor(then: PolicyRule["then"]): Decision | null {
  let floor: Decision | null = then.decision ?? null;
  if (then.requiredApprovals !== undefined) floor = stricter(floor ?? "require_approval", "require_approval");
  if (then.notify) floor = stricter(floor ?? "execute_with_notification", "execute_with_notification");
  if (then.pauseAgent) floor = "deny";
  return floor;
}

/** Compiles every rule, or lists what is wrong with each one that cannot be. */
export function compileRuleSet(document: Pick<PolicyDocument, "rules" | "calendars">): { compiled: CompiledRuleSet; problems: RuleProblem[] } {
  const env = ruleEnvironment(document.calendars);
  const problems: RuleProblem[] = [];
  for (const [name, calendar] of Object.entries(document.calendars)) {
    const problem = timeZoneProblem(calendar.timeZone);
    if (problem) problems.push({ rule: `calendar ${name}`, index: -1, field: `calendars.${name}.timeZone`, message: problem });
  }
  const rules: CompiledRule[] = [];
  const needs: CountNeeds = { agentActionsLastMinute: false, toolFailuresLastDay: false };
  document.rules.forEach((rule, index) => {
    try {
      const condition = compileCondition(rule.when, env, document.calendars);
      needs.agentActionsLastMinute ||= condition.needs.agentActionsLastMinute;
      needs.toolFailuresLastDay ||= condition.needs.toolFailuresLastDay;
      rules.push({ rule, index, condition, floor: ruleFloor(rule.then) });
    } catch (error) {
      if (!(error instanceof RuleExpressionError)) throw error;
      problems.push({
        rule: rule.name,
        index,
        field: `rules.${index}.when`,
        message: error.message,
        offset: error.offset,
        line: error.line,
        column: error.column,
      });
    }
  });
  return { compiled: { rules, needs }, problems };
}

/** Throws a 400 naming each rule whose condition is wrong, and where (save and replay call it). */
export function assertRulesCompile(document: Pick<PolicyDocument, "rules" | "calendars">): CompiledRuleSet {
  const { compiled, problems } = compileRuleSet(document);
  if (problems.length > 0) {
    const first = problems[0]!;
    const which = first.index < 0 ? first.rule : `rule ${JSON.stringify(first.rule)}`;
    throw new AppError("BAD_REQUEST", `${first.field} (${which}): ${first.message}`, {
      details: problems.map((p) => ({ field: p.field, rule: p.rule, message: p.message, offset: p.offset, line: p.line, column: p.column })),
    });
  }
  return compiled;
}

const byDocument = new WeakMap<object, CompiledRuleSet>();

/**
 * The compiled rules of a document, compiled the first time this document object is seen. The
 * policy in force is one cached object per version (current-policy.ts), so each version is
 * compiled once per process. A stored rule that no longer compiles (it cannot be saved so, but a
 * row may be edited by hand) is left out of `rules` and kept as a failing rule: it sends the
 * action to a human rather than being silently ignored.
 */
export function compiledRulesOf(document: PolicyDocument): CompiledRuleSet {
  let compiled = byDocument.get(document);
  if (!compiled) {
    const result = compileRuleSet(document);
    const broken: CompiledRule[] = result.problems
      .filter((p) => p.index >= 0)
      .map((p) => ({
        rule: document.rules[p.index]!,
        index: p.index,
        floor: "require_approval",
        condition: { evaluate: () => ({ error: p.message }), needs: { agentActionsLastMinute: false, toolFailuresLastDay: false }, guard: {} },
      }));
    compiled = { rules: [...result.compiled.rules, ...broken].sort((a, b) => a.index - b.index), needs: result.compiled.needs };
    byDocument.set(document, compiled);
  }
  return compiled;
}

export type RuleVerdict = {
  /** The strictest decision the matching rules allow, or null when no rule changes the decision. */
  floor: Decision | null;
  /** A matching rule's deny: the action is refused. */
  denied: boolean;
  reasons: Reason[];
  requiredApprovals: number | null;
  expiryMinutes: number | null;
  /** The first matching rule that pauses the agent (`then.pauseAgent`); a rule that failed pauses nothing. */
  pauseAgent: string | null;
};

/**
 * Runs every rule, in order, on one decision's context. Each matching rule can only tighten:
 * the floor is the strictest of their decisions, the approvals the most any asks for; the
 * expiry is the first matching rule's that sets one. A condition that fails to evaluate (a
 * missing args key, a wrong type) counts as matched, and at least sends the action to a human;
 * its reason says why.
 */
export function evaluateRules(compiled: CompiledRuleSet, makeContext: () => Record<string, CelInput>, names: { tool: string; agent: string }): RuleVerdict {
  const verdict: RuleVerdict = { floor: null, denied: false, reasons: [], requiredApprovals: null, expiryMinutes: null, pauseAgent: null };
  // Built when the first rule needs it: a decision every rule skips by its guard builds none.
  let context: Record<string, CelInput> | null = null;
  for (const { rule, condition, floor } of compiled.rules) {
    const { guard } = condition;
    if ((guard.tool !== undefined && guard.tool !== names.tool) || (guard.agent !== undefined && guard.agent !== names.agent)) continue;
    context ??= makeContext();
    const result = condition.evaluate(context);
    if ("error" in result) {
      // As if it matched, and never weaker than a human: a rule that refuses still refuses, and
      // one that asks for two approvers still asks for two (an agent could otherwise make a rule
      // fail on purpose, a string where it compares a number, to get a weaker answer).
      const failedFloor = floor ? stricter(floor, "require_approval") : "require_approval";
      verdict.floor = verdict.floor ? stricter(verdict.floor, failedFloor) : failedFloor;
      if (failedFloor === "deny") verdict.denied = true;
      if (rule.then.requiredApprovals !== undefined) verdict.requiredApprovals = Math.max(verdict.requiredApprovals ?? 0, rule.then.requiredApprovals);
      verdict.reasons.push({
        code: "rule_failed",
        rule: rule.name,
        message: `Rule "${rule.name}" could not be evaluated (${result.error}), so ${failedFloor === "deny" ? "it is refused, as the rule would" : "a human decides"}.`,
        outcome: failedFloor,
      });
      continue;
    }
    if (!result.matched) continue;
    const then = rule.then;
    if (floor) verdict.floor = verdict.floor ? stricter(verdict.floor, floor) : floor;
    if (floor === "deny") verdict.denied = true;
    if (then.requiredApprovals !== undefined) verdict.requiredApprovals = Math.max(verdict.requiredApprovals ?? 0, then.requiredApprovals);
    if (then.expiresInMinutes !== undefined && verdict.expiryMinutes === null) verdict.expiryMinutes = then.expiresInMinutes;
    if (then.pauseAgent && verdict.pauseAgent === null) verdict.pauseAgent = rule.name;
    verdict.reasons.push({
      code: "rule_matched",
      rule: rule.name,
      message: ruleMessage(rule, floor),
      ...(floor ? { outcome: floor } : {}),
    });
  }
  return verdict;
}

function ruleMessage(rule: PolicyRule, floor: Decision | null): string {
  const what = rule.description ? `${rule.description} ` : "";
  const then = rule.then;
  const effects = [
    floor === "deny"
      ? then.pauseAgent
        ? "refused, and the rule pauses the agent"
        : "refused"
      : floor === "require_approval"
        ? "a human decides"
        : floor === "execute_with_notification"
          ? "runs with a notification at most"
          : null,
    then.requiredApprovals !== undefined ? `${then.requiredApprovals} approver(s)` : null,
    then.expiresInMinutes !== undefined ? `approval expires after ${then.expiresInMinutes} min` : null,
  ].filter(Boolean);
  return `Rule "${rule.name}" applies${what ? ` (${what.trim()})` : ""}: ${effects.length > 0 ? effects.join(", ") : "no change to the decision"}.`;
}
