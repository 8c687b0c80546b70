/**
 * Warden for the OpenAI Agents SDK for JS (`@openai/agents`): `wardenTool(warden, options)` takes
 * the very options of the SDK's `tool()` and returns its FunctionTool, guarded. Import it as
 * `@warden/sdk/openai-agents`; only this module loads the Agents SDK.
 *
 * ```ts
 * const restart = wardenTool(warden, { name: "docker.restart", description, parameters: z.object({ container: z.string() }), execute });
 * let result = await run(new Agent({ name: "ops", tools: [restart] }), "restart traefik", { signal: warden.control.signal });
 * while (result.interruptions?.length) result = await run(agent, await wardenDecide(warden, result), { signal: warden.control.signal });
 * ```
 */
import { tool, type FunctionTool, type RunContext, type RunToolApprovalItem } from "@openai/agents";
import { z } from "zod";
import type { Warden } from "../warden";
import { GuardDecision } from "../guard-decision";
import {
  CONFIDENCE_DESCRIPTION,
  guardedCall,
  isControlStop,
  proposalFor,
  refusalMessage,
  splitConfidence,
  ToolCallRefused,
  withPastFailures,
  type AdapterSettings,
  type ToolSettings,
} from "./guarded-call";

export { ToolCallRefused } from "./guarded-call";

/** A call the framework had already run (found by its tool-call id): its first result. */
export type PreviousRun = { alreadyRan: true; actionId: string; output: unknown };

/**
 * What a guarded tool returns: the tool's result; a previous run's; or, when Warden recalled past
 * failures for a call that still ran, the result as text followed by them (the text the model reads).
 */
export type GuardedResult<Result> = Result | PreviousRun | string;

/** The options of the Agents SDK's `tool()` that Warden guards: zod parameters (strict mode), an execute. */
export type WardenToolOptions<S extends z.ZodObject, Result, Context> = {
  name: string;
  description: string;
  parameters: S;
  execute: (input: z.output<S>, context?: RunContext<Context>) => Result | Promise<Result>;
  /**
   * Where a human's approval is awaited. `"interrupt"` (the default): the SDK's own approval, so
   * the run returns `interruptions`; `wardenDecide` waits for Warden's approvers and approves or
   * rejects them (with the reason). `"wait"`: the tool long-polls Warden inside the run.
   */
  approval?: "interrupt" | "wait";
} & AdapterSettings &
  ToolSettings<z.output<S>>;

/**
 * The Agents SDK's tool, guarded: the model gives an optional `confidence` (a nullable field added
 * to the parameters, for strict mode); every call is proposed with its call id, waits for a human
 * through the SDK's interruptions, runs the approved args (an approver's edits, checked by the
 * tool's own schema) once, and reports the outcome with the option `undo`'s order for the args
 * that ran (typed from `parameters`; a kill with rollbackLast hands it to `warden.onUndo(order.tool, …)`);
 * a refusal or failure is the tool's result the model reads, past failures Warden recalled follow
 * the output of a call that still ran, and a suspend or kill ends the run (pass
 * `signal: warden.control.signal` to `run` so it ends between model calls too).
 */
export function wardenTool<S extends z.ZodObject, Result, Context = unknown>(
  warden: Warden,
  options: WardenToolOptions<S, Result, Context>,
): FunctionTool<Context, z.ZodObject, GuardedResult<Result>> {
  const { name, description, parameters, execute, approval = "interrupt", ...settings } = options;
  const toolSettings: ToolSettings<z.output<S>> = settings;
  const parse = (value: unknown): z.output<S> => parameters.parse(value);
  // Strict mode lists every property as required: "optional" is a nullable field.
  const withConfidence = parameters.extend({ confidence: z.number().min(0).max(1).nullable().describe(CONFIDENCE_DESCRIPTION) });
  return tool<typeof withConfidence, Context, GuardedResult<Result>>({
    name,
    description,
    parameters: withConfidence,
    execute: async (
      input: unknown,
      context?: RunContext<Context>,
      details?: { toolCall?: { callId?: string }; signal?: AbortSignal },
    ): Promise<GuardedResult<Result>> => {
      const { confidence, args } = splitConfidence(input);
      const outcome = await guardedCall<z.output<S>, Result>({
        warden,
        tool: name,
        args,
        confidence,
        externalId: details?.toolCall?.callId,
        signal: details?.signal,
        settings: { ...settings, ...(approval === "interrupt" ? { waitSeconds: 0 } : {}) },
        toolSettings,
        parse,
        run: (approved) => execute(approved, context),
      });
      if (!outcome.ran) return { alreadyRan: true, actionId: outcome.actionId, output: outcome.output };
      return outcome.pastFailures ? withPastFailures(outcome.output, outcome.pastFailures) : outcome.output;
    },
    ...(approval === "interrupt"
      ? {
          // Proposed here without waiting: when a human must decide, the run stops with an
          // interruption; the tool's execute later finds the same action by its call id.
          needsApproval: async (_context: RunContext, input: unknown, callId?: string) => {
            const { confidence, args } = splitConfidence(input);
            const proposal = await proposalFor({ warden, tool: name, args, confidence, externalId: callId, settings, toolSettings, parse });
            return (await warden.guard(proposal, { waitSeconds: 0, signal: warden.control.signal })).decision === "require_approval";
          },
        }
      : {}),
    // What the model reads for a refusal or a failure; a stop by the kill switch ends the run.
    errorFunction: (_context: RunContext, error: unknown) => {
      if (isControlStop(error)) throw error;
      return error instanceof ToolCallRefused ? error.message : `The tool failed: ${error instanceof Error ? error.message : String(error)}`;
    },
  });
}

/**
 * For a run that stopped with interruptions from guarded tools: waits for Warden's approvers on
 * each (up to `waitSeconds`), approves the approved ones (the tool then runs the approver's args)
 * and rejects the others with the reason the model should read. Returns the state to run again.
 */
export async function wardenDecide<
  S extends { approve(item: RunToolApprovalItem): void; reject(item: RunToolApprovalItem, options?: { message?: string }): void },
>(warden: Warden, result: { interruptions?: RunToolApprovalItem[]; state: S }, options: { waitSeconds?: number; signal?: AbortSignal } = {}): Promise<S> {
  const signal = options.signal ?? warden.control.signal;
  for (const item of result.interruptions ?? []) {
    const callId = "callId" in item.rawItem && typeof item.rawItem.callId === "string" ? item.rawItem.callId : null;
    const action = callId ? await warden.actions.findByExternalId(callId, signal) : null;
    // Not a guarded tool's interruption: the app decides it.
    if (!action) continue;
    const view = action.status === "pending_approval" ? await warden.actions.waitForDecision(action.id, options.waitSeconds ?? 300, signal) : action;
    if (view.status === "approved") result.state.approve(item);
    else result.state.reject(item, { message: refusalMessage(GuardDecision.fromView(warden.actions, view)) });
  }
  return result.state;
}
