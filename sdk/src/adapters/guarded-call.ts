import { canonicalJson } from "../../../server/lib/canonical-json";
import { anySignal } from "../abort";
import { ControlStopError, ToolFailure, WardenError } from "../errors";
import type { ActionContext, GuardDecision } from "../guard-decision";
import type { JsonObject, ProposeActionRequest, RecalledMemory, UndoOrder } from "../types";
import type { Warden } from "../warden";

/*
 * What every framework adapter (ai-sdk, openai-agents, langgraph, claude-agent-sdk) does with one
 * tool call: propose it to Warden with the framework's tool-call id, wait for a human when one
 * must decide, run the approved args (an approver's edits included) once, report the outcome,
 * and turn a refusal into an error whose message the model reads as the tool's result.
 */

/** Confidence for a call whose model gave none: low enough that Warden's default policy asks a human. */
export const DEFAULT_CONFIDENCE = 0.5;

/** The description of the `confidence` field every adapter adds to each tool's input. */
export const CONFIDENCE_DESCRIPTION =
  "How sure you are, from 0 to 1, that this call is right and safe to run now. Warden (the control plane) lets confident calls run and asks a human about the others.";

/** Per-tool settings an adapter takes, typed by the tool's own args. */
export type ToolSettings<Args> = {
  /** Confidence when the model does not give one (default: the adapter's `confidence`, else 0.5). */
  confidence?: number;
  /** The tool's name in Warden's registry, when it differs from the framework's (default: the same). */
  wardenTool?: string;
  /** The resource this call touches (`staging/web`), checked against the tool's and agent's scopes. */
  resource?: (args: Args) => string | undefined;
  /** The action text Warden matches its always-ask patterns against (default: the tool name and args). */
  describe?: (args: Args) => string;
  /**
   * The undo order (`{tool, args}`) for the args that ran, sent with the result. After an
   * approver's edit these are the edited args: the undo undoes what ran, not what was proposed.
   * A kill with `rollbackLast` hands it back to the handler `warden.onUndo(order.tool, …)`
   * registered (call `warden.connect()` so the order reaches it); none: the call is not undone.
   */
  undo?: (args: Args) => UndoOrder | undefined;
};

/** Settings common to every adapter. */
export type AdapterSettings = {
  /** Confidence for every tool whose model gives none and whose settings say none (default 0.5). */
  confidence?: number;
  /** How long a call waits for a human, in seconds (default: the client's approvalWaitSeconds). */
  waitSeconds?: number;
  /** The task these calls work on, when the agent holds one. */
  taskId?: string;
};

/** Warden refused the call (denied, rejected, expired, or no human in time): the model reads why. */
export class ToolCallRefused extends WardenError {
  constructor(
    readonly decision: GuardDecision,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The outcome of one guarded call: it ran now, or it had run before (the framework ran the step
 * again). `pastFailures` is what the model reads beside the output: the failures Warden recalled
 * for this call (empty when none), so a call that still runs carries the lesson as a refusal does.
 */
export type GuardedOutcome<Out> =
  { ran: true; output: Out; actionId: string; argsEdited: boolean; pastFailures: string } | { ran: false; output: unknown; actionId: string };

export type GuardedCallRequest<Args, Out> = {
  warden: Warden;
  /** The framework's tool name. */
  tool: string;
  /** The args as the model gave them, without `confidence`. */
  args: JsonObject;
  /** The model's confidence, if it gave one. */
  confidence: unknown;
  /** The framework's tool-call id: a step run again finds its action instead of proposing twice. */
  externalId?: string;
  signal?: AbortSignal;
  settings: AdapterSettings;
  toolSettings?: ToolSettings<Args>;
  /** The approved args as the tool's own type: the tool's schema checks them (an approver may have edited them). */
  parse: (approved: JsonObject) => Args | Promise<Args>;
  /** Runs the tool: `args` as the tool's type, `approved` as Warden approved them (for a framework that parses them itself). */
  run: (args: Args, context: ActionContext, approved: JsonObject) => Out | Promise<Out>;
  /**
   * The framework's own way to wait for a human (LangGraph's interrupt()): called when the call
   * waits for one, it returns the decision once made. Without it the call long-polls Warden.
   */
  awaitHuman?: (decision: GuardDecision) => Promise<GuardDecision>;
};

/** What Warden is asked for one call: the action text, tool, resource, args, confidence, tool-call id. */
export async function proposalFor<Args>(request: Omit<GuardedCallRequest<Args, unknown>, "run" | "signal">): Promise<ProposeActionRequest> {
  const { toolSettings = {}, settings } = request;
  const confidence = confidenceOf(request.confidence) ?? toolSettings.confidence ?? settings.confidence ?? DEFAULT_CONFIDENCE;
  // The settings' functions read the args as the tool's type: parsed by the tool's own schema.
  const typed = toolSettings.resource || toolSettings.describe ? await request.parse(request.args) : undefined;
  const resource = typed !== undefined ? toolSettings.resource?.(typed) : undefined;
  return {
    action: (typed !== undefined ? toolSettings.describe?.(typed) : undefined) ?? `${request.tool} ${canonicalJson(request.args)}`.slice(0, 2000),
    tool: toolSettings.wardenTool ?? request.tool,
    ...(resource ? { resource } : {}),
    args: request.args,
    confidence,
    ...(request.externalId ? { externalId: request.externalId } : {}),
    ...(settings.taskId ? { taskId: settings.taskId } : {}),
  };
}

/**
 * Calls under way in this process, by Warden client and tool-call id. A framework may run a step
 * again while its first run still works: LangGraph's ToolNode runs a message's tool calls together,
 * and when one of them interrupts, the others go on after the node has stopped; resumed quickly,
 * the node calls them again while Warden still says "approved" (the result not yet reported).
 * The second call waits for the first one's outcome instead of running the tool again.
 */
const underWay = new WeakMap<Warden, Map<string, Promise<GuardedOutcome<unknown>>>>();

/** Proposes, waits, runs the approved args once and reports; throws ToolCallRefused when Warden says no. */
export async function guardedCall<Args, Out>(request: GuardedCallRequest<Args, Out>): Promise<GuardedOutcome<Out>> {
  const { externalId, warden } = request;
  if (!externalId) return proposeAndRun(request);
  let calls = underWay.get(warden);
  if (!calls) underWay.set(warden, (calls = new Map()));
  const first = calls.get(externalId);
  if (first) {
    const outcome = await first;
    return { ran: false, output: outcome.output, actionId: outcome.actionId };
  }
  const call = proposeAndRun(request);
  calls.set(externalId, call);
  try {
    return await call;
  } finally {
    calls.delete(externalId);
  }
}

async function proposeAndRun<Args, Out>(request: GuardedCallRequest<Args, Out>): Promise<GuardedOutcome<Out>> {
  const { warden, settings } = request;
  const signal = anySignal([request.signal, warden.control.signal]);
  const waitSeconds = request.awaitHuman ? 0 : settings.waitSeconds;
  const proposal = await proposalFor(request);
  let decision = await warden.guard(proposal, { signal, ...(waitSeconds !== undefined ? { waitSeconds } : {}) });
  if (decision.status === "pending_approval" && request.awaitHuman) decision = await request.awaitHuman(decision);
  // Already run (the framework re-ran the step that called it): its first result, not a second run.
  if (decision.status === "succeeded" || decision.status === "rolled_back")
    return { ran: false, output: storedOutput(decision.output), actionId: decision.actionId };
  if (decision.status === "failed") throw new ToolCallRefused(decision, `This call already ran and failed: ${decision.error ?? "no error reported"}`);
  const stop = controlStop(decision);
  if (stop) throw stop;
  if (!decision.allowed) throw new ToolCallRefused(decision, refusalMessage(decision));
  // The args as the tool's type, kept for the undo: RunOptions.undo is synchronous, and a
  // framework's schema may validate asynchronously.
  let ran: { args: Args } | undefined;
  const undo = request.toolSettings?.undo;
  const pastFailures = pastFailuresNote(decision.recalled);
  try {
    const output = await decision.run(
      async (approved, context: ActionContext) => {
        const args = await approvedArgs(request, approved, decision.argsEdited);
        if (decision.argsEdited) assertProposedResource(request.toolSettings, args, proposal.resource);
        ran = { args };
        return request.run(args, context, approved);
      },
      { signal, ...(undo ? { undo: () => (ran ? undo(ran.args) : undefined) } : {}) },
    );
    return { ran: true, output, actionId: decision.actionId, argsEdited: decision.argsEdited, pastFailures };
  } catch (error) {
    // Failed again: the model reads the failure and, as when a call runs, the failures like it.
    if (pastFailures && error instanceof Error && !(error instanceof ControlStopError)) error.message = `${error.message}\n\n${pastFailures}`;
    throw error;
  }
}

/** The approved args as the tool's type; an approver's edit that does not fit the tool's schema is named as theirs. */
async function approvedArgs<Args>(request: GuardedCallRequest<Args, unknown>, approved: JsonObject, edited: boolean): Promise<Args> {
  try {
    return await request.parse(approved);
  } catch (error) {
    if (!edited) throw error;
    throw new ToolFailure(`Not run: the approver's edited args do not fit the tool: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

/**
 * An approver's edit may not move the call to another resource than the one Warden judged (and
 * the audit log names): the resource is read again from the edited args, and the call does not
 * run when it differs.
 */
function assertProposedResource<Args>(toolSettings: ToolSettings<Args> | undefined, args: Args, proposed: string | undefined): void {
  if (!toolSettings?.resource) return;
  const edited = toolSettings.resource(args);
  if ((edited ?? undefined) === (proposed ?? undefined)) return;
  throw new ToolFailure(
    `Not run: the approver's edited args touch ${edited ?? "no resource"}, not ${proposed ?? "no resource"} as proposed; propose the call again for that resource`,
  );
}

/**
 * A suspend or kill ends the agent's pending approvals (they expire, decided by `control.<state>`),
 * and that answer may come before the control stream's: it is the same stop.
 */
export function controlStop(decision: GuardDecision): ControlStopError | null {
  const state = decision.status === "expired" ? /^control\.(suspended|killed)$/.exec(decision.decidedBy ?? "")?.[1] : undefined;
  return state === "suspended" || state === "killed" ? new ControlStopError(state, decision.reason) : null;
}

/** A stop by the kill switch ends the framework's run; every other refusal is the tool's result. */
export function isControlStop(error: unknown): error is ControlStopError {
  return error instanceof ControlStopError;
}

/** What the model reads when Warden refuses: who decided and why, and the past failures that match. */
export function refusalMessage(decision: GuardDecision): string {
  const why =
    decision.status === "rejected"
      ? `A human (${decision.decidedBy ?? "an approver"}) rejected it: ${decision.reason ?? "no reason given"}`
      : decision.status === "expired"
        ? "No human decided in time (the approval expired); it did not run"
        : decision.status === "pending_approval"
          ? "It is still waiting for a human; it did not run"
          : `Warden denied it: ${decision.reasons.map((r) => r.message).join(" ") || "no reason given"}`;
  const lessons = pastFailuresNote(decision.recalled);
  return `Not run. ${why.replace(/\.$/, "")}.${lessons ? `\n${lessons}` : ""}\nDo not retry the same call unchanged.`;
}

/**
 * The failures Warden recalled for a call (negative knowledge, best first), as the model reads
 * them in the tool's result, whether the call ran or was refused; empty when none matched.
 */
export function pastFailuresNote(recalled: readonly RecalledMemory[]): string {
  const lessons = recalled
    .filter((m) => m.kind === "negative_knowledge")
    .slice(0, 3)
    .map((m) => `- ${m.subject}: ${m.body}`);
  return lessons.length ? `Past failures like this one:\n${lessons.join("\n")}` : "";
}

/** A tool's output as the text the model reads, followed by the past failures recalled for the call. */
export function withPastFailures(output: unknown, pastFailures: string): string {
  const text = typeof output === "string" ? output : (JSON.stringify(output) ?? String(output));
  return pastFailures ? `${text}\n\n${pastFailures}` : text;
}

/** A tool's stored output: Warden keeps objects, and wraps any other value as `{value}`. */
function storedOutput(output: JsonObject | null): unknown {
  if (output && Object.keys(output).length === 1 && "value" in output) return output.value;
  return output;
}

function confidenceOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
}

/** Whether a value is a plain JSON-like object (tool inputs are). */
export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The model's input split into Warden's `confidence` and the tool's own args. */
export function splitConfidence(input: unknown): { confidence: unknown; args: JsonObject } {
  if (!isJsonObject(input)) return { confidence: undefined, args: {} };
  const { confidence, ...args } = input;
  return { confidence, args };
}

/** A JSON Schema object's copy with the optional `confidence` property added. */
export function withConfidenceProperty<S extends object>(schema: S): S {
  const properties = "properties" in schema && isJsonObject(schema.properties) ? schema.properties : {};
  return { ...schema, properties: { ...properties, confidence: { type: "number", minimum: 0, maximum: 1, description: CONFIDENCE_DESCRIPTION } } };
}
