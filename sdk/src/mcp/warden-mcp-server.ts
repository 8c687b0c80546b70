import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { ZActionResultRequest, ZProposeActionRequest } from "../../../server/schemas/actions";
import { ZUuid } from "../../../server/schemas/common";
import { ZRecallQuery, ZRecordMemoryRequest } from "../../../server/schemas/memory";
import { ZClaimRequest, ZTaskCompleteRequest, ZTaskFailRequest, ZTaskHeartbeatRequest } from "../../../server/schemas/tasks";
import { WardenError, WardenInputError } from "../errors";
import type { GuardDecision } from "../guard-decision";
import { SDK_VERSION } from "../version";
import type { Warden } from "../warden";

/*
 * Warden's tools for an MCP client (an LLM agent), on top of the SDK: both transports (stdio in
 * the `warden-mcp` command, streamable HTTP at /api/mcp) serve this one definition. The inputs
 * are the API's own zod schemas, so an MCP client sees the same fields and limits as /api/v1.
 */

// MCP clients give up on a request after 60 s by default: no call waits longer than 50 s. A
// wait that runs out answers `pending_approval` with the actionId and how to keep waiting, and
// progress notifications go out every few seconds meanwhile (clients that reset their timeout on
// progress keep the call alive).
const DEFAULT_WAIT_SECONDS = 45;
const MAX_WAIT_SECONDS = 50;
const PROGRESS_EVERY_SECONDS = 10;
const ZWaitSeconds = z
  .number()
  .int()
  .min(0)
  .max(300)
  .default(DEFAULT_WAIT_SECONDS)
  .describe(
    `How long to wait for a human when the decision is require_approval, in seconds (at most ${MAX_WAIT_SECONDS} per call; call wait_for_approval to wait longer)`,
  );

type ToolExtra = {
  signal: AbortSignal;
  _meta?: { progressToken?: string | number };
  sendNotification: (notification: {
    method: "notifications/progress";
    params: { progressToken: string | number; progress: number; total?: number; message?: string };
  }) => Promise<void>;
};

/**
 * Waits for a human's decision on `actionId` for up to `waitSeconds` (capped at 50), in slices,
 * sending a progress notification after each; ends at once when the action leaves pending (a
 * suspend or a kill of the agent expires it, so those end the wait too).
 */
async function waitWithProgress(warden: Warden, actionId: string, waitSeconds: number, extra: ToolExtra): Promise<GuardDecision> {
  const total = Math.min(waitSeconds, MAX_WAIT_SECONDS);
  const token = extra._meta?.progressToken;
  let waited = 0;
  while (waited < total) {
    const slice = Math.min(PROGRESS_EVERY_SECONDS, total - waited);
    const view = await warden.actions.waitForDecision(actionId, slice, extra.signal);
    waited += slice;
    if (view.status !== "pending_approval") break;
    if (token !== undefined && waited < total) {
      await extra
        .sendNotification({
          method: "notifications/progress",
          params: { progressToken: token, progress: waited, total, message: `waiting for a human (${waited} s of ${total} s)` },
        })
        .catch(() => undefined);
    }
  }
  return warden.actions.decision(actionId, extra.signal);
}

/**
 * An API schema as a tool's input: a copy outside zod's registry. The originals carry ids (for
 * the OpenAPI document), and with one the JSON Schema an MCP client gets would be a `$ref`
 * where MCP requires an inline object.
 */
const toolInput = <S extends z.ZodObject>(schema: S): S => schema.extend({}) as unknown as S;

const INSTRUCTIONS = [
  "Warden guards your actions. Before any action with side effects, call guard_action with what you intend, the tool, the resource and your honest confidence.",
  "Run the action only when the answer says allowed, and with exactly its approvedArgs (an approver may have edited them); then call report_result, with the failure reason when it failed.",
  "Before similar work, recall_memory: past failures tell you what to check first. Record lessons with record_memory.",
  "Work from the queue with claim_task, renew_task_lease while it takes long, and finish_task when done.",
].join(" ");

/** What the agent should do next, in words, for each outcome of a guard. */
function nextStep(decision: GuardDecision): string {
  switch (decision.status) {
    case "approved":
      return `Run the action now with exactly approvedArgs${decision.argsEdited ? " (an approver edited them: use these, not yours)" : ""}, then call report_result with actionId ${decision.actionId}.`;
    case "pending_approval":
      return `A human has not decided yet. Do not run it; call wait_for_approval with actionId ${decision.actionId} to keep waiting.`;
    case "rejected":
      return `Do not run it. The approver rejected it: ${decision.reason ?? "no reason given"}.`;
    case "succeeded":
    case "rolled_back":
      // Found again by its externalId: the call ran before (the client retried, or the agent repeated itself).
      return `Do not run it again: this externalId names action ${decision.actionId}, which already ran${decision.status === "rolled_back" ? " and was rolled back" : ""}; its reported result is \`output\`.`;
    case "failed":
      return `Do not run it again unchanged: this externalId names action ${decision.actionId}, which already ran and failed: ${decision.error ?? "no error reported"}.`;
    case "expired":
      // A suspend or a kill ends pending approvals with its reason; plain expiry has none.
      return decision.reason
        ? `Do not run it: ${decision.reason}. Stop this work until the agent is resumed.`
        : "Do not run it: nobody approved it in time. Ask again only if it is still needed.";
    default:
      return `Do not run it: ${decision.reasons.map((r) => r.message).join("; ") || decision.status}.`;
  }
}

function describeDecision(decision: GuardDecision) {
  return {
    actionId: decision.actionId,
    decision: decision.decision,
    status: decision.status,
    allowed: decision.allowed,
    approvedArgs: decision.approvedArgs,
    argsEdited: decision.argsEdited,
    reasons: decision.reasons,
    reason: decision.reason,
    recalled: decision.recalled.map(({ kind, subject, body, score }) => ({ kind, subject, body, score })),
    // An action found again by its externalId that already ran: what was reported.
    ...(decision.output !== null ? { output: decision.output } : {}),
    ...(decision.error !== null ? { error: decision.error } : {}),
    ...(decision.retryAfterSeconds !== null ? { retryAfterSeconds: decision.retryAfterSeconds } : {}),
    next: nextStep(decision),
  };
}

/** Runs a tool's body: its value as JSON text, or a Warden error as a tool error the model can read. */
async function answer(body: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    const value = await body();
    return { content: [{ type: "text", text: JSON.stringify(value, null, 2) }] };
  } catch (error) {
    if (!(error instanceof WardenError)) throw error;
    const problems = error instanceof WardenInputError ? `\n${error.problems.map((p) => `- ${p.field}: ${p.message}`).join("\n")}` : "";
    return { isError: true, content: [{ type: "text", text: `${error.message}${problems}` }] };
  }
}

const ZFinishTask = z
  .strictObject({
    taskId: ZUuid,
    status: z.enum(["succeeded", "failed"]),
    output: ZTaskCompleteRequest.shape.output,
    cost: ZTaskCompleteRequest.shape.cost,
    error: ZTaskFailRequest.shape.error.optional().describe("What went wrong (required when status is failed)"),
    failureReason: ZTaskFailRequest.shape.failureReason,
    retry: z.boolean().optional().describe("For a failure: may Warden give the task to an agent again (default true)"),
  })
  .refine((input) => input.status === "succeeded" || input.error !== undefined, { path: ["error"], message: "a failed task needs an error" });

/** An MCP server whose tools act for the agent `warden` was built with. */
export function createWardenMcpServer(warden: Warden): McpServer {
  const server = new McpServer({ name: "warden", title: "Warden", version: SDK_VERSION }, { instructions: INSTRUCTIONS });

  server.registerTool(
    "guard_action",
    {
      title: "Ask Warden before acting",
      description:
        "Propose an action before taking it. Warden answers auto_execute, execute_with_notification, require_approval (it then waits for a human up to waitSeconds) or deny, with the reasons and past failures it recalled. Run the action only if `allowed`, with exactly `approvedArgs`, then call report_result. With an `externalId`, asking again answers with the same action as it is now (its output once it ran), never a second one.",
      inputSchema: ZProposeActionRequest.extend({
        externalId: ZProposeActionRequest.shape.externalId.describe(
          "An id of yours for this call (your tool-call id), unique per agent: guard_action with it again returns the same action as it is now instead of proposing a second one",
        ),
        waitSeconds: ZWaitSeconds,
      }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    ({ waitSeconds, ...action }, extra) =>
      answer(async () => {
        const proposed = await warden.guard(action, { waitSeconds: 0, signal: extra.signal });
        if (proposed.status !== "pending_approval" || waitSeconds === 0) return describeDecision(proposed);
        return describeDecision(await waitWithProgress(warden, proposed.actionId, waitSeconds, extra as unknown as ToolExtra));
      }),
  );

  server.registerTool(
    "wait_for_approval",
    {
      title: "Keep waiting for a human's decision",
      description: "For an action guard_action left pending: wait up to waitSeconds for an approver, then answer as guard_action does.",
      inputSchema: z.strictObject({ actionId: ZUuid, waitSeconds: ZWaitSeconds }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ actionId, waitSeconds }, extra) =>
      answer(async () => describeDecision(await waitWithProgress(warden, actionId, waitSeconds, extra as unknown as ToolExtra))),
  );

  server.registerTool(
    "report_result",
    {
      title: "Report what happened",
      description:
        "After running an allowed action: succeeded (with its output) or failed (with the error and the failureReason: root cause and fix, which Warden remembers as negative knowledge for every agent).",
      inputSchema: ZActionResultRequest.extend({ actionId: ZUuid }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ actionId, ...result }) =>
      answer(async () => {
        const view = await warden.actions.report(actionId, result);
        return { actionId: view.id, status: view.status };
      }),
  );

  server.registerTool(
    "recall_memory",
    {
      title: "Recall what the fleet learned",
      description:
        "Search shared memory (decisions, negative knowledge, patterns) like q, best first, with scores and provenance. Do it before work similar to something that may have failed before.",
      inputSchema: ZRecallQuery.pick({ q: true, kind: true, tag: true, limit: true }).strict(),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ q, ...query }) => answer(async () => ({ results: await warden.memory.recall(q, query) })),
  );

  server.registerTool(
    "record_memory",
    {
      title: "Record a lesson",
      description:
        "Record a decision, negative knowledge (why something failed, the root cause and the fix) or a pattern, shared with every agent in scope unless scope is private.",
      inputSchema: toolInput(ZRecordMemoryRequest),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (memory) => answer(() => warden.memory.record(memory)),
  );

  server.registerTool(
    "claim_task",
    {
      title: "Take the next task",
      description:
        "Claim the next queued task for this agent's capabilities (highest priority first), waiting up to waitSeconds; answers {task: null} when there is none. Renew the lease with renew_task_lease during long work; finish with finish_task.",
      inputSchema: toolInput(ZClaimRequest),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (request, extra) => answer(async () => (await warden.tasks.claim(request, extra.signal)) ?? { task: null }),
  );

  server.registerTool(
    "renew_task_lease",
    {
      title: "Keep a task",
      description: "Renew the lease on a claimed task (it is requeued when the lease runs out), optionally saving a checkpoint to resume from.",
      inputSchema: ZTaskHeartbeatRequest.extend({ taskId: ZUuid }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ taskId, checkpoint }, extra) => answer(() => warden.tasks.heartbeat(taskId, checkpoint, extra.signal)),
  );

  server.registerTool(
    "finish_task",
    {
      title: "Finish a task",
      description:
        "Complete a claimed task (status succeeded, with its output and cost) or fail it (status failed, with the error, the failure reason and whether to retry).",
      inputSchema: ZFinishTask,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ taskId, status, output, cost, error, failureReason, retry }) =>
      answer(async () => {
        const task =
          status === "succeeded"
            ? await warden.tasks.complete(taskId, { ...(output ? { output } : {}), ...(cost !== undefined ? { cost } : {}) })
            : await warden.tasks.fail(taskId, { error: error!, ...(failureReason ? { failureReason } : {}), ...(retry !== undefined ? { retry } : {}) });
        return { taskId: task.id, status: task.status };
      }),
  );

  return server;
}
