/**
 * Warden for LangGraph JS (`@langchain/langgraph`, LangChain tools from `@langchain/core`): one
 * call guards the tools a graph's ToolNode (or createReactAgent) runs. Import it as
 * `@warden/sdk/langgraph`; only this module loads LangChain.
 *
 * ```ts
 * const tools = guardLangGraphTools(warden, [restart]);
 * const graph = new StateGraph(MessagesAnnotation).addNode("tools", new ToolNode(tools))…compile({ checkpointer });
 * await graph.invoke(input, { configurable: { thread_id }, signal: warden.control.signal });
 * ```
 */
import { Command, interrupt } from "@langchain/langgraph";
import { DynamicStructuredTool, type StructuredToolInterface, type ToolRunnableConfig } from "@langchain/core/tools";
import { z } from "zod";
import { z as z3 } from "zod/v3";
import {
  extendInteropZodObject,
  interopParseAsync,
  isInteropZodSchema,
  isZodObjectV3,
  isZodObjectV4,
  type InferInteropZodOutput,
  type InteropZodType,
} from "@langchain/core/utils/types";
import { GuardDecision } from "../guard-decision";
import type { JsonObject } from "../types";
import type { Warden } from "../warden";
import {
  CONFIDENCE_DESCRIPTION,
  guardedCall,
  isJsonObject,
  splitConfidence,
  withConfidenceProperty,
  withPastFailures,
  type AdapterSettings,
  type ToolSettings,
} from "./guarded-call";

export { ToolCallRefused } from "./guarded-call";

/** What a guarded tool hands to `interrupt()` while a human decides in Warden's inbox. */
export type WardenInterrupt = {
  warden: { actionId: string; tool: string; args: JsonObject; reasons: { code: string; message: string }[]; expiresAt: string | null };
};

/** A tool's args as its schema reads them (a zod schema's output type; JSON for a JSON Schema). */
export type LangGraphToolArgs<T> = T extends { schema: infer S } ? (S extends InteropZodType ? InferInteropZodOutput<S> : JsonObject) : JsonObject;

export type LangGraphSettings<T extends StructuredToolInterface = StructuredToolInterface> = AdapterSettings & {
  /**
   * Per tool name: default confidence, Warden's tool name, resource, action text, and `undo`: the
   * undo order for the approved args that ran (an approver's edits included), which a kill with
   * rollbackLast hands to `warden.onUndo(order.tool, …)`. Their functions read the args as the
   * tool's schema parses them (typed from it, defaults filled); a JSON Schema tool's are JSON.
   */
  tools?: { [N in T["name"]]?: ToolSettings<LangGraphToolArgs<Extract<T, { name: N }>>> };
  /**
   * Where a human's approval is awaited. `"interrupt"` (the default): LangGraph's `interrupt()`,
   * so the graph stops (and its checkpointer keeps it) until resumed, with `wardenResume`, once
   * Warden's approvers decided; the node runs again then, and each call finds its action by its
   * tool-call id, so nothing runs twice. `"wait"`: the tool long-polls Warden (no checkpointer).
   */
  approval?: "interrupt" | "wait";
};

/**
 * The tools, guarded: each call asks Warden first (with the model's optional `confidence`, a field
 * added to each tool's schema, and the tool call's id as `externalId`), waits for a human through
 * `interrupt()`, runs the approved args (an approver's edits included, checked by the tool's own
 * schema) once, reports the outcome (with the tool's `undo` for the args that ran), and hands a
 * refusal's reason and matching past failures to the model as the tool's error; past failures
 * recalled for a call that still runs follow its output in the ToolMessage. Pass
 * `signal: warden.control.signal` to the graph's invoke or stream so a suspend or kill ends the
 * run, not only the tool.
 */
export function guardLangGraphTools<T extends StructuredToolInterface>(
  warden: Warden,
  tools: readonly T[],
  settings: LangGraphSettings<T> = {},
): DynamicStructuredTool[] {
  const { tools: perTool = {}, ...common } = settings;
  // Typed per tool for the caller; here each tool gets its own, read by its own schema.
  const byName: Record<string, ToolSettings<unknown> | undefined> = perTool;
  return tools.map((original) => guardTool(warden, original, common, byName[original.name]));
}

type CommonSettings = Omit<LangGraphSettings, "tools">;

function guardTool(
  warden: Warden,
  original: StructuredToolInterface,
  settings: CommonSettings,
  toolSettings: ToolSettings<unknown> | undefined,
): DynamicStructuredTool {
  // The tool's own schema reads the args for the settings' functions (an approver's edits too).
  const schema = original.schema;
  const parse = (args: JsonObject): unknown | Promise<unknown> => (isInteropZodSchema(schema) ? interopParseAsync(schema, args) : args);
  return new DynamicStructuredTool({
    name: original.name,
    description: original.description,
    schema: withConfidenceField(original.schema),
    func: async (input: unknown, _runManager, config?: ToolRunnableConfig) => {
      const { confidence, args } = splitConfidence(input);
      // The tool runs outside this call's ToolMessage: without the tool call in its config it returns
      // its output, which this tool's caller wraps.
      const { toolCall, ...runConfig } = config ?? {};
      const outcome = await guardedCall<unknown, unknown>({
        warden,
        tool: original.name,
        args,
        confidence,
        externalId: toolCall?.id,
        signal: config?.signal,
        settings,
        toolSettings,
        parse,
        // The original tool's invoke reads the approved args with its own schema once more: it gets
        // them as approved, not as parsed here (a schema's transforms need not apply twice).
        run: (_parsed, context, approved) => original.invoke(approved, { ...runConfig, signal: context.signal }),
        ...(settings.approval === "wait" ? {} : { awaitHuman: (decision) => awaitThroughInterrupt(warden, decision, settings, { tool: original.name, args }) }),
      });
      if (!outcome.ran) return typeof outcome.output === "string" ? outcome.output : JSON.stringify(outcome.output);
      return outcome.pastFailures ? withPastFailures(outcome.output, outcome.pastFailures) : outcome.output;
    },
  });
}

/**
 * Stops the graph with LangGraph's interrupt(): the first time it throws (the graph saves its
 * state and returns the interrupt); when the graph is resumed, the node runs again, this call
 * proposes again (found by its tool-call id), and interrupt() returns instead. Then Warden's
 * decision, whatever the resume value said, is what counts: Warden is the authority.
 */
async function awaitThroughInterrupt(
  warden: Warden,
  decision: GuardDecision,
  settings: CommonSettings,
  call: { tool: string; args: JsonObject },
): Promise<GuardDecision> {
  const payload: WardenInterrupt = {
    warden: { actionId: decision.actionId, tool: call.tool, args: call.args, reasons: decision.reasons, expiresAt: decision.expiresAt },
  };
  interrupt(payload);
  const view = await warden.actions.waitForDecision(decision.actionId, settings.waitSeconds ?? 300, warden.control.signal);
  return GuardDecision.fromView(warden.actions, view);
}

/**
 * Resumes a graph stopped by guarded tools once Warden's approvers have decided every action it
 * waits on (up to `waitSeconds`): `await graph.invoke(await wardenResume(warden, state), config)`.
 * `interrupts` are the graph's pending ones (`(await graph.getState(config)).tasks.flatMap(t => t.interrupts)`,
 * or the `__interrupt__` of the last invoke's result).
 */
export async function wardenResume(
  warden: Warden,
  interrupts: readonly { value?: unknown }[],
  options: { waitSeconds?: number; signal?: AbortSignal } = {},
): Promise<Command<Record<string, string>, Record<string, never>, never>> {
  const ids = interrupts.map((i) => (isWardenInterrupt(i.value) ? i.value.warden.actionId : null)).filter((id): id is string => id !== null);
  const views = await Promise.all(ids.map((id) => warden.actions.waitForDecision(id, options.waitSeconds ?? 300, options.signal ?? warden.control.signal)));
  return new Command({ resume: Object.fromEntries(views.map((v) => [v.id, v.status])) });
}

function isWardenInterrupt(value: unknown): value is WardenInterrupt {
  return isJsonObject(value) && isJsonObject(value.warden) && typeof value.warden.actionId === "string";
}

/** The tool's schema with the optional `confidence` field: zod 4, zod 3 or JSON Schema alike. */
function withConfidenceField(schema: StructuredToolInterface["schema"]): StructuredToolInterface["schema"] {
  // Each zod major takes a field of its own kind.
  if (isZodObjectV4(schema)) return extendInteropZodObject(schema, { confidence: z.number().min(0).max(1).optional().describe(CONFIDENCE_DESCRIPTION) });
  if (isZodObjectV3(schema)) return extendInteropZodObject(schema, { confidence: z3.number().min(0).max(1).optional().describe(CONFIDENCE_DESCRIPTION) });
  if (isInteropZodSchema(schema) || !("type" in schema) || schema.type !== "object") return schema;
  return withConfidenceProperty(schema);
}
