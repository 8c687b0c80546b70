import { z } from "zod";
import { patternProblem } from "../guardrails/approval-patterns";
import { ZDecision } from "./actions";
import { ZCalendars, ZRules } from "./policy-rules";
import { overridesAsRules, ZOverride } from "./policy-overrides";

const ZRateLimitText = z.string().regex(/^\d{1,6}\/(second|minute|hour|day)$/, "use N/second, N/minute, N/hour or N/day");

const ZProbability = z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1");

export const ZThresholds = z
  .strictObject({
    autoExecute: ZProbability,
    notify: ZProbability,
  })
  .refine((t) => t.notify <= t.autoExecute, { message: "notify must not be above autoExecute", path: ["notify"] });

const ZApprovalPattern = z
  .string()
  .trim()
  .min(1, "a pattern must not be empty")
  .max(200, "a pattern must be at most 200 characters")
  .superRefine((pattern, context) => {
    const problem = patternProblem(pattern);
    if (problem) context.addIssue({ code: "custom", message: `${JSON.stringify(pattern)}: ${problem}` });
  });

/** The policy document: what the guardrail decision reads, saved as numbered versions. */
export const ZPolicyDocumentShape = z
  .strictObject({
    /**
     * Patterns that always need a human: a phrase matched as whole words, or a regular expression
     * written `re:…` (RE2), against the normalized action, tool, resource and args
     * (guardrails/approval-patterns.ts).
     */
    alwaysRequireApproval: z.array(ZApprovalPattern).max(500),
    thresholds: ZThresholds,
    approvalExpiryMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
    /** Distinct approvers needed for actions on critical tools, whatever the confidence. */
    criticalQuorum: z.number().int().min(1).max(10),
    /**
     * How far an action that names no tool may go: its decision is at least this strict (the
     * default lets it run with a notification at most, never on its own).
     */
    untooledMaxDecision: ZDecision.default("execute_with_notification"),
    /** What a matching recorded failure does to an action that would run on its own. */
    onMatchingFailure: z.enum(["notify", "require_approval"]),
    /** How far back a failure counts as matching (days). */
    failureLookbackDays: z.number().int().min(1).max(365),
    /**
     * Ordered rules: a CEL condition over the decision's context and what a match does. They run
     * after the control state, role, registry and scope checks, and only make the answer
     * stricter (docs/policies.md). Per-tool and per-agent overrides of older versions are read
     * as rules (policy-overrides.ts).
     */
    rules: ZRules.default([]),
    /** Named calendars (such as change-freeze) that rules test with inCalendar(now, "name"). */
    calendars: ZCalendars.default({}),
    /** Dispatch limits of the task queue (such as 60/minute): per agent, and per capability. */
    claimLimits: z
      .strictObject({
        perAgent: ZRateLimitText.nullable(),
        perCapability: z.record(z.string(), ZRateLimitText),
      })
      .default({ perAgent: null, perCapability: {} }),
  })
  .meta({ id: "PolicyDocument" });
export type PolicyDocument = z.infer<typeof ZPolicyDocumentShape>;

/**
 * The policy document as it is read and written: the shape above, also accepting the
 * `toolOverrides` and `agentOverrides` of versions saved before rules existed, which are turned
 * into rules on read (so every stored version keeps deciding as it did; see policy-overrides.ts).
 */
export const ZPolicyDocument = ZPolicyDocumentShape.extend({
  toolOverrides: z.record(z.string(), ZOverride).optional(),
  agentOverrides: z.record(z.string(), ZOverride).optional(),
}).transform(({ toolOverrides, agentOverrides, ...document }): PolicyDocument => {
  const migrated = overridesAsRules(toolOverrides ?? {}, agentOverrides ?? {});
  return migrated.length === 0 ? document : { ...document, rules: [...document.rules, ...migrated] };
});

export const DEFAULT_POLICY: PolicyDocument = {
  // Each command with its equivalent spellings; the regular expressions also catch global options
  // before the subcommand (`docker -H host rm`, `git -C repo push`) and force flags anywhere
  // after it (`git push origin main -f`, `--force-with-lease`, a `+refspec`).
  alwaysRequireApproval: [
    "docker rm",
    "docker container rm",
    "docker container remove",
    "docker stop",
    "docker container stop",
    "re:\\bdocker( --?[a-z][a-z-]*(=\\S+| \\S+)?)+ (container )?(rm|remove|stop)\\b",
    "git push --force",
    "git push -f",
    "re:\\bgit( -c \\S+| --?[a-z][a-z-]*(=\\S+)?)* push\\b.*\\s(--force(-with-lease|-if-includes)?|-[a-z]*f[a-z]*|\\+\\S+)(\\s|=|$)",
    "DROP TABLE",
    "send_email",
    // sendEmail, send-email, send email (the normalized text is lower case)
    "re:\\bsend[ _-]?e-?mail\\b",
    "post_to_linkedin",
    "re:\\bpost[ _-]?to[ _-]?linked[ _-]?in\\b",
  ],
  thresholds: { autoExecute: 0.95, notify: 0.7 },
  approvalExpiryMinutes: 30,
  criticalQuorum: 2,
  untooledMaxDecision: "execute_with_notification",
  onMatchingFailure: "notify",
  failureLookbackDays: 30,
  rules: [],
  calendars: {},
  claimLimits: { perAgent: null, perCapability: {} },
};

export const ZSavePolicyRequest = z.strictObject({
  document: ZPolicyDocument,
  comment: z.string().trim().max(500).default(""),
  /** The version the editor started from: saving over a newer one is a conflict. */
  baseVersion: z.number().int().min(0).optional(),
});

export const ZReplayRequest = z.strictObject({
  document: ZPolicyDocument,
  days: z.number().int().min(1).max(90).default(7),
});

export const ZStartShadowRequest = z.strictObject({
  document: ZPolicyDocument,
  comment: z.string().trim().max(500).default(""),
});

export const ZEndShadowRequest = z.strictObject({
  id: z.uuid("id must be a shadow policy's id"),
  outcome: z.enum(["promoted", "dropped"]),
  /** The new version's comment when promoted (default: the shadow's own). */
  comment: z.string().trim().max(500).default(""),
});
