/**
 * Warden for the Vercel AI SDK (`ai`, v6): one call guards a `generateText`/`streamText` call's
 * tools. Import it as `@warden/sdk/ai-sdk`; only this module loads `ai`, so an agent that
 * does not use the AI SDK never needs it.
 *
 * ```ts
 * const result = await generateText(withWarden(warden, { model, tools: { restart }, prompt }));
 * ```
 */
import {
  asSchema,
  jsonSchema,
  type InferToolInput,
  type JSONValue,
  type InferToolOutput,
  type Tool,
  type ToolExecutionOptions,
  type ToolModelMessage,
  type ToolSet,
} from "ai";
import { anySignal } from "../abort";
import { ToolFailure, WardenInputError } from "../errors";
import type { JsonObject } from "../types";
import type { Warden } from "../warden";
import { GuardDecision } from "../guard-decision";
import {
  guardedCall,
  proposalFor,
  refusalMessage,
  splitConfidence,
  withConfidenceProperty,
  withPastFailures,
  type AdapterSettings,
  type ToolSettings,
} from "./guarded-call";

export { ToolCallRefused } from "./guarded-call";

/** A tool's input as the model sees it: the tool's own args and Warden's optional `confidence` (0 to 1). */
export type WithConfidence<INPUT> = INPUT & { confidence?: number };

/**
 * A call the framework had already run (found by its tool-call id): its first result, returned
 * instead of running it twice.
 */
export type PreviousRun = { alreadyRan: true; actionId: string; output: unknown };

export type GuardedTool<T extends Tool> = Tool<WithConfidence<InferToolInput<T>>, InferToolOutput<T> | PreviousRun>;
export type GuardedToolSet<TOOLS extends ToolSet> = { [K in keyof TOOLS]: GuardedTool<TOOLS[K]> };

/** What the model reads of a tool's result (the AI SDK's ToolResultOutput, which `ai` does not export). */
type ModelOutput = Awaited<ReturnType<NonNullable<Tool["toModelOutput"]>>>;

export type AiSdkSettings<TOOLS extends ToolSet> = AdapterSettings & {
  /**
   * Per tool: default confidence, Warden's tool name, resource, action text, and `undo`: the
   * undo order for the args that ran (an approver's edits included), typed from the tool's
   * schema, which a kill with rollbackLast hands to `warden.onUndo(order.tool, handler)`.
   */
  tools?: { [K in keyof TOOLS]?: ToolSettings<InferToolInput<TOOLS[K]>> };
  /**
   * Where a human's approval is awaited. `"wait"` (the default): inside the tool's execute, so a
   * headless run just takes longer. `"framework"`: through the AI SDK's own `needsApproval`, so
   * the run stops with `tool-approval-request` parts (a chat UI shows them); answer them with
   * `wardenApprovalResponses`, which waits for Warden's approvers and carries their verdict.
   */
  approval?: "wait" | "framework";
};

/**
 * The options of `generateText`/`streamText` (or a `ToolLoopAgent`'s), guarded: every tool with
 * an `execute` asks Warden first, runs the approved args (an approver's edits included) and
 * reports the outcome (with the tool's `undo` for the args that ran); a refusal or a failure is the
 * tool's error, which the model reads, and past failures Warden recalled for a call that still
 * runs follow its output in what the model reads (`toModelOutput`); the `abortSignal` aborts the
 * run when an operator suspends or kills this agent (call `warden.connect()` first, so the kill
 * switch reaches it).
 */
export function withWarden<O extends { tools: ToolSet; abortSignal?: AbortSignal }>(
  warden: Warden,
  options: O,
  settings: AiSdkSettings<O["tools"]> = {},
): Omit<O, "tools" | "abortSignal"> & { tools: GuardedToolSet<O["tools"]>; abortSignal: AbortSignal } {
  return { ...options, tools: guardTools(warden, options.tools, settings), abortSignal: anySignal([options.abortSignal, warden.control.signal]) };
}

/** Only the tools, guarded (for a run whose abortSignal you tie to `warden.control.signal` yourself). */
export function guardTools<TOOLS extends ToolSet>(warden: Warden, tools: TOOLS, settings: AiSdkSettings<TOOLS> = {}): GuardedToolSet<TOOLS> {
  const guarded: ToolSet = {};
  for (const [name, original] of Object.entries(tools)) guarded[name] = guardTool(warden, name, original, settings, settings.tools?.[name]);
  return guarded as GuardedToolSet<TOOLS>;
}

/**
 * One tool, guarded. Its type is GuardedTool<T> (guardTools names it): TypeScript cannot resolve
 * the AI SDK's conditional Tool type (NeverOptional) over a generic OUTPUT, so this says `unknown`.
 */
function guardTool<INPUT, OUTPUT>(
  warden: Warden,
  name: string,
  original: Tool<INPUT, OUTPUT>,
  settings: AdapterSettings & { approval?: "wait" | "framework" },
  toolSettings: ToolSettings<INPUT> | undefined,
): Tool<WithConfidence<INPUT>, unknown> {
  const schema = asSchema(original.inputSchema);
  // The tool's own schema reads the args (the approver's edits too) as the tool's type.
  const parse = async (value: unknown): Promise<INPUT> => {
    if (!schema.validate) return value as INPUT; // a JSON Schema without a validator: the AI SDK trusts it too
    const result = await schema.validate(value);
    if (!result.success) throw new ToolFailure(`the args do not fit ${name}'s input schema: ${result.error.message}`);
    return result.value;
  };
  const inputSchema = jsonSchema<WithConfidence<INPUT>>(async () => withConfidenceProperty(await schema.jsonSchema), {
    validate: async (value) => {
      const { confidence, args } = splitConfidence(value);
      return parse(args).then(
        (parsed) => ({ success: true as const, value: { ...parsed, confidence: typeof confidence === "number" ? confidence : undefined } }),
        (error: unknown) => ({ success: false as const, error: error instanceof Error ? error : new Error(String(error)) }),
      );
    },
  });
  const execute = original.execute;
  // A tool without execute is answered by the app (a client-side tool): nothing here runs it to guard.
  if (!execute)
    throw new WardenInputError(`${name}: a tool without execute cannot be guarded; pass it to the AI SDK beside the guarded ones`, [
      { field: name, message: "has no execute" },
    ]);
  // "framework": proposed here without waiting; when a human must decide, the AI SDK stops the
  // run with a tool-approval-request, and execute later finds the same action by its tool-call id.
  const needsApproval = async (input: unknown, options: { toolCallId: string }): Promise<boolean> => {
    const { confidence, args } = splitConfidence(input);
    const proposal = await proposalFor({ warden, tool: name, args, confidence, externalId: options.toolCallId, settings, toolSettings, parse });
    const decision = await warden.guard(proposal, { waitSeconds: 0, signal: warden.control.signal });
    // The AI SDK asks again when the run resumes with the approval response, and refuses an
    // approval for a call that (now) needs none: the decision, not the current status, answers.
    return decision.decision === "require_approval";
  };
  // Past failures recalled for calls that ran, by tool-call id, until the model's view of the
  // result is made. A result converted later, in another process (a chat app's next request), is
  // read without them.
  const pastFailures = new Map<string, string>();
  const toModelOutput = async (options: { toolCallId: string; input: unknown; output: unknown }): Promise<ModelOutput> => {
    const note = pastFailures.get(options.toolCallId) ?? "";
    pastFailures.delete(options.toolCallId);
    const own = original.toModelOutput
      ? await original.toModelOutput({ toolCallId: options.toolCallId, input: splitConfidence(options.input).args, output: options.output } as Parameters<
          NonNullable<Tool<INPUT, OUTPUT>["toModelOutput"]>
        >[0])
      : undefined;
    // Without a note: what the AI SDK itself makes of a result when a tool has no toModelOutput.
    if (!note)
      return (
        own ?? (typeof options.output === "string" ? { type: "text", value: options.output } : { type: "json", value: (options.output ?? null) as JSONValue })
      );
    if (!own || own.type === "json") return { type: "text", value: withPastFailures(own ? own.value : options.output, note) };
    if (own.type === "text") return { ...own, value: withPastFailures(own.value, note) };
    if (own.type === "content") return { ...own, value: [...own.value, { type: "text", text: note }] };
    return own;
  };
  const guarded = {
    ...(original.description !== undefined ? { description: original.description } : {}),
    ...(original.title !== undefined ? { title: original.title } : {}),
    ...(original.providerOptions !== undefined ? { providerOptions: original.providerOptions } : {}),
    inputSchema,
    ...(settings.approval === "framework" ? { needsApproval } : {}),
    toModelOutput,
    execute: async (input: WithConfidence<INPUT>, options: ToolExecutionOptions): Promise<OUTPUT | PreviousRun> => {
      const { confidence, args } = splitConfidence(input);
      const outcome = await guardedCall<INPUT, OUTPUT>({
        warden,
        tool: name,
        args,
        confidence,
        externalId: options.toolCallId,
        signal: options.abortSignal,
        settings,
        toolSettings,
        parse,
        run: (approved, context) => finalOutput(execute(approved, { ...options, abortSignal: context.signal })),
      });
      if (!outcome.ran) return { alreadyRan: true, actionId: outcome.actionId, output: outcome.output };
      if (outcome.pastFailures) pastFailures.set(options.toolCallId, outcome.pastFailures);
      return outcome.output;
    },
  } satisfies Tool<WithConfidence<INPUT>, unknown>;
  return guarded;
}

/**
 * For `approval: "framework"`: waits for Warden's approvers on each `tool-approval-request` of a
 * result, and answers them as the AI SDK expects (append the message and call again). Approved
 * calls then run with the approver's args (execute fetches them by the tool-call id); a rejection
 * carries its reason. Returns null when the result asked for no approval.
 */
export async function wardenApprovalResponses(
  warden: Warden,
  content: readonly { type: string; approvalId?: string; toolCall?: { toolCallId: string } }[],
  options: { waitSeconds?: number; signal?: AbortSignal } = {},
): Promise<ToolModelMessage | null> {
  const requests = content.filter((part) => part.type === "tool-approval-request" && part.approvalId && part.toolCall);
  if (requests.length === 0) return null;
  const signal = anySignal([options.signal, warden.control.signal]);
  const responses = await Promise.all(
    requests.map(async (part) => {
      const action = await warden.actions.findByExternalId(part.toolCall!.toolCallId, signal);
      const view = action?.status === "pending_approval" ? await warden.actions.waitForDecision(action.id, options.waitSeconds ?? 300, signal) : action;
      const approved = view?.status === "approved";
      // What the model reads for a call Warden refused: the reason and the past failures recalled for it.
      const refused = view && REFUSED.has(view.status) ? refusalMessage(GuardDecision.fromView(warden.actions, view)) : undefined;
      const reason = approved ? undefined : (refused ?? (view ? `Warden: ${view.status.replace("_", " ")}` : "Warden has no record of this call"));
      return { type: "tool-approval-response" as const, approvalId: part.approvalId!, approved, ...(reason ? { reason } : {}) };
    }),
  );
  return { role: "tool", content: responses };
}

/** The statuses in which Warden refused a call (no human in time included), as opposed to one that ran. */
const REFUSED = new Set<string>(["rejected", "expired", "denied", "pending_approval"]);

/** A tool's result: its value, or for a streaming tool (an async iterable), the last one it yielded. */
async function finalOutput<OUTPUT>(result: AsyncIterable<OUTPUT> | PromiseLike<OUTPUT> | OUTPUT): Promise<OUTPUT> {
  if (isAsyncIterable(result)) {
    let last: OUTPUT | undefined;
    let any = false;
    for await (const value of result) {
      last = value;
      any = true;
    }
    if (!any) throw new ToolFailure("the tool yielded nothing");
    return last as OUTPUT;
  }
  return await result;
}

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return value !== null && typeof value === "object" && Symbol.asyncIterator in value;
}

export type { JsonObject };
