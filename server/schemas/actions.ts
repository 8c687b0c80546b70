import { z } from "zod";
import { ZScopeGlob, ZSlug, ZUuid } from "./common";
import { ZActionStatus, ZDecision, ZToolRisk } from "./enums";
import { boundedJson, MAX_JSON_BYTES } from "./safe-json";
import { ZRecallMatch } from "./memory";

/** Args and outputs are any JSON object, bounded so one call cannot fill the database. */
export const MAX_ARGS_BYTES = MAX_JSON_BYTES;

/**
 * The agent framework's id for one tool call (the AI SDK's toolCallId, LangGraph's tool_call.id,
 * Claude's tool_use id): 1 to 200 visible characters, unique per agent. A step the framework runs
 * again (LangGraph re-executes a node after interrupt()) proposes with the same id and gets the
 * action it already has, in its current state, instead of a second one.
 */
export const ZExternalId = z
  .string()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .regex(/^[\p{L}\p{M}\p{N}\p{P}\p{S}]+$/u, "must be visible characters only (no spaces or control characters)");

export const ZProposeActionRequest = z
  .strictObject({
    action: z.string().trim().min(1, "must describe the action").max(2000, "must be at most 2000 characters"),
    /** The registered tool that runs it; without one the policy's untooledMaxDecision caps the answer. */
    tool: ZSlug.optional(),
    resource: ZScopeGlob.optional(),
    args: boundedJson("args").default({}),
    confidence: z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1"),
    reversible: z.boolean().optional(),
    undo: z.strictObject({ tool: ZSlug, args: boundedJson("undo.args").default({}) }).optional(),
    taskId: ZUuid.optional(),
    rationale: z.string().trim().max(4000, "must be at most 4000 characters").optional(),
    /** The framework's tool-call id: proposing it again returns that action as it is now (status 200). */
    externalId: ZExternalId.optional(),
  })
  .meta({ id: "ProposeActionRequest" });
export type ProposeActionRequest = z.input<typeof ZProposeActionRequest>;

export const ZActionResultRequest = z
  .strictObject({
    status: z.enum(["succeeded", "failed"]),
    output: boundedJson("output").optional(),
    error: z.string().max(8000).optional(),
    failureReason: z.string().trim().max(4000).optional(),
    durationMs: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600 * 1000)
      .optional(),
    cost: z.number().min(0).max(1_000_000).optional(),
    /** The undo for what actually ran (from the approved args): registered, or replacing the proposal's. */
    undo: z.strictObject({ tool: ZSlug, args: boundedJson("undo.args").default({}) }).optional(),
  })
  .meta({ id: "ActionResultRequest" });

export const ZApproveRequest = z
  .strictObject({
    /** Edited args: the agent must run these instead of the ones it proposed. */
    args: boundedJson("args").optional(),
    comment: z.string().trim().max(2000).optional(),
    /**
     * Also approve, for this many minutes, the same tool on the same resource by this agent: such
     * proposals that would wait for one human run with a notification instead (an approval grant).
     */
    grantMinutes: z
      .number()
      .int()
      .min(1, "grantMinutes: at least 1")
      .max(24 * 60, "grantMinutes: at most 1440 (a day)")
      .optional(),
  })
  .meta({ id: "ApproveRequest" });

export const ZRejectRequest = z
  .strictObject({
    reason: z.string().trim().min(1, "a rejection needs a reason").max(2000),
  })
  .meta({ id: "RejectRequest" });

export const ZWaitQuery = z.object({
  timeoutSeconds: z.coerce.number().int().min(0).max(120).default(30),
});

// Declared once in ./enums (from the Prisma enums); exported here too for the SDK and old imports.
export { ZActionStatus, ZDecision } from "./enums";
export type ActionStatusValue = z.infer<typeof ZActionStatus>;

/**
 * One step of the guardrail's reasoning. `outcome` is the decision that step alone would give:
 * the reasons whose outcome equals the final decision are the ones that decided it (reasons
 * stored before the field existed have none).
 */
export const ZReason = z.object({
  code: z.string(),
  message: z.string(),
  outcome: ZDecision.optional(),
  /** The policy rule that gave this reason (codes rule_matched and rule_failed). */
  rule: z.string().optional(),
});
export type Reason = z.infer<typeof ZReason>;

export const ZRecalledMemory = z.object({
  id: z.string(),
  kind: z.string(),
  subject: z.string(),
  body: z.string(),
  score: z.number(),
  agent: z.string().nullable(),
  createdAt: z.string(),
  /** how many times the lesson was learned (repeats merge into one entry) */
  occurrences: z.number().optional(),
  lastLearnedAt: z.string().optional(),
  /** why it was recalled; absent on decisions made before issue 20 */
  why: ZRecallMatch.optional(),
});
export type RecalledMemory = z.infer<typeof ZRecalledMemory>;

export const ZActionView = z
  .object({
    id: z.string(),
    agentId: z.string(),
    agent: z.string(),
    taskId: z.string().nullable(),
    action: z.string(),
    tool: z.string().nullable(),
    resource: z.string().nullable(),
    args: z.record(z.string(), z.unknown()),
    confidence: z.number(),
    rationale: z.string().nullable(),
    decision: ZDecision,
    reasons: z.array(ZReason),
    policyVersion: z.number(),
    recalled: z.array(ZRecalledMemory),
    status: ZActionStatus,
    risk: ZToolRisk,
    requiredApprovals: z.number(),
    approvals: z.array(z.object({ by: z.string(), at: z.string() })),
    expiresAt: z.string().nullable(),
    approvedArgs: z.record(z.string(), z.unknown()).nullable(),
    approvedArgsHash: z.string().nullable(),
    argsEdited: z.boolean(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    reason: z.string().nullable(),
    createdAt: z.string(),
    /** The framework's tool-call id the agent proposed it with. */
    externalId: z.string().nullable(),
    /** What the agent reported when it ran (POST /actions/{id}/result): a re-run step returns this instead of running twice. */
    output: z.record(z.string(), z.unknown()).nullable(),
    error: z.string().nullable(),
    failureReason: z.string().nullable(),
    /** Is the agent there for the answer: waiting on it now, connected, or away. */
    agentPresence: z.enum(["waiting", "connected", "away"]),
  })
  .meta({ id: "Action" });
export type ActionView = z.infer<typeof ZActionView>;

/** GET /api/v1/actions: an agent finds its action by the framework's tool-call id. */
export const ZFindActionsQuery = z.object({
  externalId: ZExternalId,
});

export const ZFoundActions = z.object({ items: z.array(ZActionView) }).meta({ id: "FoundActions" });

export const ZInboxQuery = z.object({
  agent: z.string().optional(),
  tool: z.string().optional(),
  risk: ZToolRisk.optional(),
  sort: z.enum(["oldest", "newest", "risk", "confidence"]).default("oldest"),
  limit: z.number().int().min(1).max(200).default(50),
});

export const ZActionsQuery = z.object({
  agent: z.string().optional(),
  tool: z.string().optional(),
  decision: ZDecision.optional(),
  status: ZActionStatus.optional(),
  /** "<created_at ISO>|<id>" of the last row of the previous page */
  cursor: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z\|[0-9a-f-]{36}$/, "must be a cursor from the previous page")
    .optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

/** The answer to POST /api/v1/actions: the decision, why, and what the agent may run. */
export const ZProposeActionResponse = z
  .object({
    id: z.string(),
    decision: ZDecision,
    status: ZActionStatus,
    reasons: z.array(ZReason),
    policyVersion: z.number(),
    recalled: z.array(ZRecalledMemory),
    approvedArgs: z.record(z.string(), z.unknown()).nullable(),
    approvedArgsHash: z.string().nullable(),
    approval: z.object({ expiresAt: z.string(), requiredApprovals: z.number() }).optional(),
    retryAfterSeconds: z.number().optional(),
    /**
     * Not a new action (status 200): the same request (action, tool, resource, args) already
     * waited for a human, or an action with this `externalId` exists. Then the fields below say
     * where it is now: approved (maybe with edited args), rejected, or run (with its output).
     */
    repeated: z.boolean().optional(),
    externalId: z.string().nullable().optional(),
    argsEdited: z.boolean().optional(),
    /** The approver's reason, for a rejection. */
    reason: z.string().nullable().optional(),
    decidedBy: z.string().nullable().optional(),
    output: z.record(z.string(), z.unknown()).nullable().optional(),
    error: z.string().nullable().optional(),
    failureReason: z.string().nullable().optional(),
  })
  .meta({ id: "ProposeActionResponse" });
export type ProposeActionResponse = z.infer<typeof ZProposeActionResponse>;
