import { z } from "zod";
import { ZDecision } from "./actions";

/*
 * The shape of policy rules and calendars. Whether a rule's `when` is a valid CEL expression is
 * checked on the server (policy/rule-expressions.ts), where the CEL implementation lives: this
 * file is imported by the console too, and the console checks expressions through the
 * `policies.validateRule` call instead of bundling the compiler.
 */

const ZRuleName = z
  .string()
  .trim()
  .min(1, "a rule needs a name")
  .max(100, "a rule name must be at most 100 characters")
  .regex(/^[^\u0000-\u001f]+$/, "a rule name must not contain control characters");

/** What a matching rule does; each field can only make the answer stricter (docs/policies.md). */
export const ZRuleOutcome = z
  .strictObject({
    /** The least strict decision the action may get (a floor): a rule never lowers a decision. */
    decision: ZDecision.optional(),
    /** At least this many distinct approvers (implies require_approval). */
    requiredApprovals: z.number().int().min(1, "at least 1").max(10, "at most 10").optional(),
    /** How long the approval waits before it expires; the first matching rule that sets it wins. */
    expiresInMinutes: z
      .number()
      .int()
      .min(1, "at least 1 minute")
      .max(7 * 24 * 60, "at most 7 days")
      .optional(),
    /** People are told when it runs (implies at least execute_with_notification). */
    notify: z.boolean().optional(),
    /**
     * The agent is paused (through the control path, audited as this rule's doing) and this
     * action is refused (implies deny). "More than 20 actions in a minute pauses it."
     */
    pauseAgent: z.boolean().optional(),
  })
  .refine(
    (t) => t.decision !== undefined || t.requiredApprovals !== undefined || t.expiresInMinutes !== undefined || t.notify === true || t.pauseAgent === true,
    { message: "a rule must set at least one of decision, requiredApprovals, expiresInMinutes, notify or pauseAgent" },
  );
export type RuleOutcome = z.infer<typeof ZRuleOutcome>;

export const ZPolicyRule = z.strictObject({
  name: ZRuleName,
  description: z.string().trim().max(500, "a description must be at most 500 characters").optional(),
  /** A CEL expression over the rule context (RULE_CONTEXT below); true means the rule applies. */
  when: z.string().trim().min(1, "the condition must not be empty").max(2000, "a condition must be at most 2000 characters"),
  then: ZRuleOutcome,
});
export type PolicyRule = z.infer<typeof ZPolicyRule>;

const ZDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "use a date such as 2026-12-20");

/** A named calendar, such as a change freeze: whole days, inclusive, in its time zone. */
export const ZCalendar = z.strictObject({
  timeZone: z.string().trim().min(1, "name a time zone such as Europe/Berlin").max(64),
  periods: z
    .array(
      z
        .strictObject({ from: ZDay, to: ZDay, label: z.string().trim().max(100).optional() })
        .refine((p) => p.from <= p.to, { message: "to must not be before from", path: ["to"] }),
    )
    .max(200),
});
export type Calendar = z.infer<typeof ZCalendar>;

export const ZRules = z
  .array(ZPolicyRule)
  .max(500, "at most 500 rules")
  .superRefine((rules, context) => {
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
      if (seen.has(rule.name)) context.addIssue({ code: "custom", message: `two rules are named ${JSON.stringify(rule.name)}`, path: [i, "name"] });
      seen.add(rule.name);
    });
  });

export const ZCalendars = z.record(
  z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "a calendar name is lower case letters, digits, - and _ (such as change-freeze)"),
  ZCalendar,
);

/** The context a rule's condition sees, as the editor lists it and docs/policies.md explains it. */
export const RULE_CONTEXT: readonly { name: string; type: string; description: string }[] = [
  { name: "agent.id", type: "string", description: "the agent's id" },
  { name: "agent.name", type: "string", description: "the agent's name" },
  { name: "agent.team", type: "string", description: "the agent's team" },
  { name: "agent.role", type: "string", description: "lead or specialist" },
  { name: "agent.ageDays", type: "double", description: "days since the agent was registered" },
  { name: "agent.actionsLastMinute", type: "int", description: "actions this agent proposed in the last minute (loaded only when a rule uses it)" },
  { name: "tool.name", type: "string", description: 'the tool ("" when none was named)' },
  { name: "tool.risk", type: "string", description: 'low, medium, high or critical ("" when no tool)' },
  { name: "tool.reversible", type: "bool", description: "whether the tool's actions can be undone" },
  {
    name: "tool.failuresLastDay",
    type: "int",
    description: "actions of this tool proposed in the last 24 hours that failed, all agents (loaded only when a rule uses it)",
  },
  { name: "resource", type: "string", description: 'the resource, such as prod/db ("" when none)' },
  { name: "action", type: "string", description: "the action text, normalized (lower case, single spaces)" },
  { name: "args", type: "map", description: "the proposed args; use has(args.x) before args.x" },
  { name: "confidence", type: "double", description: "the agent's confidence, 0 to 1" },
  { name: "now", type: "timestamp", description: 'the time of the decision: now.getHours("Europe/Berlin"), now.getDayOfWeek("Europe/Berlin") (0 = Sunday)' },
  { name: "control.state", type: "string", description: "running or paused (suspended and killed agents are refused before rules)" },
  {
    name: 'inWindow(now, "Mon-Fri 09:00-18:00", "Europe/Berlin")',
    type: "bool",
    description: "inside a weekly window; a window may cross midnight (Fri 22:00-02:00)",
  },
  { name: 'inCalendar(now, "change-freeze")', type: "bool", description: "inside a period of a calendar defined in the policy" },
];

export const ZValidateRuleRequest = z.strictObject({
  when: z.string().max(2000, "a condition must be at most 2000 characters"),
  calendars: ZCalendars.default({}),
});

export const ZRevokeGrantRequest = z.strictObject({
  id: z.uuid("id must be an approval grant's id"),
  reason: z.string().trim().max(500).default(""),
});
