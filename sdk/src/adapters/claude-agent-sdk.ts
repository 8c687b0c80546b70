/**
 * Warden for the Claude Agent SDK (`@anthropic-ai/claude-agent-sdk`): one call adds Warden to a
 * `query()`'s options: its `canUseTool` asks Warden (waiting for a human when one must decide),
 * its PostToolUse hooks report each result, and its abortController ends the run on a suspend or
 * kill. Import it as `@warden/sdk/claude-agent-sdk`.
 *
 * ```ts
 * for await (const message of query({ prompt, options: withWarden(warden, { allowedTools: [] }) })) …
 * ```
 *
 * The Claude Agent SDK ships a native CLI per platform; this module needs none of it: it is
 * written against the SDK's documented option types (CanUseTool, PermissionResult, HookCallback,
 * copied structurally below from its sdk.d.ts, v0.3), so it loads nothing of the SDK.
 *
 * The SDK runs the tools itself (Bash, Edit, MCP tools), and their input schemas are the SDK's:
 * there is no field to add, so a call's confidence is its tool's setting (default 0.5).
 */
import { ControlStopError } from "../errors";
import { MAX_ARGS_BYTES } from "../../../server/schemas/actions";
import type { JsonObject, UndoOrder } from "../types";
import type { Warden } from "../warden";
import { controlStop, isJsonObject, pastFailuresNote, proposalFor, refusalMessage, type AdapterSettings, type ToolSettings } from "./guarded-call";

/** The SDK's answer to "may this tool run?" (`PermissionResult`). */
export type PermissionResult =
  | { behavior: "allow"; updatedInput?: Record<string, unknown>; toolUseID?: string }
  | { behavior: "deny"; message: string; interrupt?: boolean; toolUseID?: string };

/** The SDK's `canUseTool` option (`CanUseTool`), with the options this adapter reads. */
export type CanUseTool = (toolName: string, input: Record<string, unknown>, options: { signal: AbortSignal; toolUseID: string }) => Promise<PermissionResult>;

/** The PostToolUse and PostToolUseFailure hook inputs this adapter reads. */
type PostToolUseInput = { hook_event_name: "PostToolUse"; tool_name: string; tool_use_id: string; tool_response: unknown; duration_ms?: number };
type PostToolUseFailureInput = {
  hook_event_name: "PostToolUseFailure";
  tool_name: string;
  tool_use_id: string;
  error: string;
  is_interrupt?: boolean;
  duration_ms?: number;
};
/**
 * The SDK's `HookCallback`, read as a method (its parameters bivariant): the app's own hooks, typed
 * by the SDK with its narrower `HookInput`, go into the same lists as this adapter's.
 */
type HookCallback = {
  bivarianceHack(input: { hook_event_name: string }, toolUseID: string | undefined, options: { signal: AbortSignal }): Promise<HookOutput>;
}["bivarianceHack"];
/** The SDK's `HookJSONOutput`, with what this adapter answers: a PostToolUse hook's `additionalContext` is added to what Claude reads. */
type HookOutput = {
  continue?: boolean;
  async?: true;
  asyncTimeout?: number;
  hookSpecificOutput?: { hookEventName: "PostToolUse"; additionalContext?: string };
};
type HookMatchers = Partial<Record<string, { matcher?: string; hooks: HookCallback[] }[]>>;

/** An allowed call, until its hook reports it: its action, the undo for its approved input, the past failures Claude reads. */
export type StartedCall = { actionId: string; undo?: UndoOrder; pastFailures: string };

/** What `withWarden` adds to the SDK's `Options`; the result is assignable to them. */
export type WardenQueryOptions = { canUseTool: CanUseTool; hooks: HookMatchers; abortController: AbortController };

export type ClaudeAgentSettings = AdapterSettings & {
  /**
   * Per tool name (`Bash`, `mcp__github__create_issue`): confidence, Warden's tool name (default:
   * the name in lower case, `bash`), resource, action text, and `undo`: the undo order for the
   * approved input the SDK ran (an approver's edits included), reported with the result, which a
   * kill with rollbackLast hands to `warden.onUndo(order.tool, …)`. Register those tools in Warden.
   */
  tools?: Record<string, ToolSettings<JsonObject>>;
};

/**
 * `canUseTool` for the SDK: each call is proposed with its tool_use id, waits for a human when one
 * must decide, and is allowed with the approved input (`updatedInput`: an approver's edits reach
 * the tool) or denied with the reason and matching past failures, which the model reads. A stop
 * by the kill switch denies with `interrupt`, which ends the run. `started` learns each allowed
 * call's action, undo and recalled past failures, for its result.
 */
export function wardenCanUseTool(warden: Warden, settings: ClaudeAgentSettings = {}, started?: (toolUseID: string, call: StartedCall) => void): CanUseTool {
  return async (toolName, input, { signal, toolUseID }) => {
    const toolSettings = settings.tools?.[toolName];
    try {
      const proposal = await proposalFor({
        warden,
        tool: toolName,
        args: input,
        confidence: undefined,
        externalId: toolUseID,
        settings,
        toolSettings: { wardenTool: toolName.toLowerCase(), ...toolSettings },
        parse: (args) => args,
      });
      const decision = await warden.guard(proposal, { signal, ...(settings.waitSeconds !== undefined ? { waitSeconds: settings.waitSeconds } : {}) });
      if (decision.status === "succeeded")
        return { behavior: "deny", message: `Already ran (action ${decision.actionId}): ${JSON.stringify(decision.output)}`, toolUseID };
      const stop = controlStop(decision);
      if (stop) throw stop;
      if (!decision.allowed) return { behavior: "deny", message: refusalMessage(decision), toolUseID };
      // The SDK runs the tool: the approval's hash is checked here, on the args it will run.
      const approved = decision.approvedArgs ?? {};
      decision.assertApprovedArgs(approved);
      const undo = toolSettings?.undo?.(approved);
      started?.(toolUseID, { actionId: decision.actionId, pastFailures: pastFailuresNote(decision.recalled), ...(undo ? { undo } : {}) });
      return { behavior: "allow", updatedInput: approved, toolUseID };
    } catch (error) {
      if (error instanceof ControlStopError || warden.control.signal.aborted) {
        return { behavior: "deny", message: error instanceof Error ? error.message : "Stopped by Warden", interrupt: true, toolUseID };
      }
      throw error;
    }
  };
}

/**
 * The options of `query()`, with Warden: `canUseTool` (wardenCanUseTool), PostToolUse and
 * PostToolUseFailure hooks that report each allowed call's result (with its undo) or failure (with
 * its reason: Warden keeps it as negative knowledge), the PostToolUse hook handing Claude the past
 * failures Warden recalled for a call it still allowed (`additionalContext`), and an abortController that aborts on a suspend or kill
 * (and on the caller's own controller). Existing hooks are kept.
 */
export function withWarden<O extends object>(
  warden: Warden,
  options: O & { hooks?: HookMatchers; abortController?: AbortController },
  settings: ClaudeAgentSettings = {},
  // NoInfer: `O` is the options as written, not what the call's context (`query({ options })`) expects.
): NoInfer<O> & WardenQueryOptions {
  const actions = new Map<string, StartedCall>();
  const abortController = new AbortController();
  for (const signal of [options.abortController?.signal, warden.control.signal]) {
    if (signal?.aborted) abortController.abort(signal.reason);
    else signal?.addEventListener("abort", () => abortController.abort(signal.reason), { once: true });
  }
  const reported: HookCallback = async (input) => {
    if (isPostToolUse(input)) {
      const call = actions.get(input.tool_use_id);
      if (call) {
        actions.delete(input.tool_use_id);
        const { actionId, undo, pastFailures } = call;
        await report(warden, actionId, {
          status: "succeeded",
          output: asOutput(input.tool_response),
          ...(input.duration_ms !== undefined ? { durationMs: Math.round(input.duration_ms) } : {}),
          ...(undo ? { undo } : {}),
        });
        if (pastFailures) return { continue: true, hookSpecificOutput: { hookEventName: "PostToolUse", additionalContext: pastFailures } };
      }
    } else if (isPostToolUseFailure(input)) {
      const actionId = actions.get(input.tool_use_id)?.actionId;
      if (actionId) {
        actions.delete(input.tool_use_id);
        const error = input.error.slice(0, 8000) || "(no message)";
        // An interrupt is the run stopping, not a lesson about the tool.
        await report(warden, actionId, { status: "failed", error, ...(input.is_interrupt ? {} : { failureReason: error.slice(0, 4000) }) });
      }
    }
    return { continue: true };
  };
  const hooks: HookMatchers = { ...options.hooks };
  hooks.PostToolUse = [...(options.hooks?.PostToolUse ?? []), { hooks: [reported] }];
  hooks.PostToolUseFailure = [...(options.hooks?.PostToolUseFailure ?? []), { hooks: [reported] }];
  return { ...options, canUseTool: wardenCanUseTool(warden, settings, (toolUseID, call) => actions.set(toolUseID, call)), hooks, abortController };
}

async function report(warden: Warden, actionId: string, result: Parameters<Warden["actions"]["report"]>[1]): Promise<void> {
  // The tool ran: a failed report must not fail the run (and make the model run it again).
  await warden.actions.report(actionId, result).catch((error: unknown) => warden.actions.onError(error));
}

function isPostToolUse(input: { hook_event_name: string }): input is PostToolUseInput {
  return input.hook_event_name === "PostToolUse" && "tool_use_id" in input;
}

function isPostToolUseFailure(input: { hook_event_name: string }): input is PostToolUseFailureInput {
  return input.hook_event_name === "PostToolUseFailure" && "tool_use_id" in input;
}

/** A tool's response as an action's output: objects as they are, anything else as `{value}`. */
function asOutput(value: unknown): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  const output = isJsonObject(value) ? value : { value };
  // A file's content, say, can exceed what Warden keeps of an output.
  const bytes = Buffer.byteLength(JSON.stringify(output));
  return bytes <= MAX_ARGS_BYTES ? output : { truncated: true, bytes };
}
