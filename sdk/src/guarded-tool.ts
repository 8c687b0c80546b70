import { z } from "zod";
import { canonicalJson } from "../../server/lib/canonical-json";
import { matchesAnyScope } from "../../server/guardrails/scope-match";
import { ZProposeActionRequest } from "../../server/schemas/actions";
import { ZScopeGlob, ZSlug } from "../../server/schemas/common";
import { ZRateLimit, type ZTool } from "../../server/schemas/tools";
import { anySignal } from "./abort";
import type { GuardOptions, WardenActions } from "./actions";
import { ToolDeclarationError, ToolRateLimitError, WardenInputError } from "./errors";
import type { ActionContext } from "./guard-decision";
import { LocalRateLimit } from "./local-rate-limit";
import type { Decision, JsonObject, RecalledMemory, UndoOrder } from "./types";
import { validateInput } from "./validate-input";

const isFunction = (value: unknown) => typeof value === "function";
const ZUndoOrder = ZProposeActionRequest.shape.undo.unwrap();

/** The seed's `@tool(...)` decorator as data: what the tool may touch and how it is undone. */
export type ToolDeclaration = {
  /** The tool's name in Warden's registry, such as `docker.restart`. */
  name: string;
  /** Resource globs this code may touch (`staging/*`): a resource outside them is refused before asking. */
  scope?: string[];
  /** At most this many calls from this process (`10/minute`), counted before asking Warden. */
  rateLimit?: string;
  /** Every call waits for a human; the SDK refuses to run if Warden's registry would not ask one. */
  requiresConfirmation?: boolean;
  /** Calls can be undone: each needs an undo order (here or per call), which Warden hands back after a kill. */
  reversible?: boolean;
  /** The undo order for a call with these args, sent with the proposal (a call may give its own). */
  undo?: UndoOrder | ((args: JsonObject) => UndoOrder);
  /** The action text Warden matches its always-ask patterns against (default: name and args). */
  describe?: (args: JsonObject) => string;
  /** The resource a call touches, when the caller does not say (checked against `scope`). */
  resource?: (args: JsonObject) => string | undefined;
};

const ZToolDeclaration = z
  .strictObject({
    name: ZSlug,
    scope: z.array(ZScopeGlob).max(100).optional(),
    rateLimit: ZRateLimit.optional(),
    requiresConfirmation: z.boolean().optional(),
    reversible: z.boolean().optional(),
    undo: z
      .union([ZUndoOrder, z.custom<(args: JsonObject) => UndoOrder>(isFunction, "must be an undo order {tool, args} or a function returning one")])
      .optional(),
    describe: z.custom<(args: JsonObject) => string>(isFunction, "must be a function").optional(),
    resource: z.custom<(args: JsonObject) => string | undefined>(isFunction, "must be a function").optional(),
  })
  .refine((d) => !(d.reversible === false && d.undo !== undefined), { path: ["reversible"], message: "a tool with an undo is reversible" });

export type ToolCall = {
  /** How sure the agent is that this is right, 0 to 1. */
  confidence: number;
  resource?: string;
  /** The action text (default: the declaration's `describe`, else the name and args). */
  action?: string;
  rationale?: string;
  taskId?: string;
  /** This call's undo order, when it depends on more than the args (the state before, say). */
  undo?: UndoOrder;
  signal?: AbortSignal;
} & Pick<GuardOptions, "waitSeconds" | "idempotencyKey">;

export type ToolRun<T> = {
  actionId: string;
  decision: Decision;
  /** The args that ran: the approved ones, which an approver may have edited. */
  args: JsonObject;
  argsEdited: boolean;
  recalled: RecalledMemory[];
  output: T;
};

export type ToolFunction<T> = (args: JsonObject, context: ActionContext) => T | Promise<T>;

export type GuardedTool<T> = ((args: JsonObject, call: ToolCall) => Promise<ToolRun<T>>) & {
  readonly declaration: Readonly<ToolDeclaration>;
};

/** What a guarded tool needs from its Warden. */
export type ToolHost = {
  actions: WardenActions;
  /** Aborts in-flight work when the agent is suspended or killed. */
  workSignal(): AbortSignal;
  /** Warden's registry entry for a tool (cached), to hold the declaration against it. */
  registeredTool(name: string): Promise<z.infer<typeof ZTool> | undefined>;
};

/**
 * Wraps `fn` as a guarded tool: each call is checked against the declaration (scope, local
 * rate limit), proposed to Warden, waits for a human when needed, runs with the approved args
 * only, and reports the outcome; the undo order goes with the proposal.
 */
export function guardedTool<T>(host: ToolHost, declaration: ToolDeclaration, fn: ToolFunction<T>): GuardedTool<T> {
  const declared = validateInput(ZToolDeclaration, declaration, `tool ${String((declaration as { name?: unknown }).name ?? "")}`.trim());
  if (!isFunction(fn)) throw new WardenInputError(`tool ${declared.name}: the tool's function is missing`, [{ field: "fn", message: "must be a function" }]);
  const limit = declared.rateLimit ? new LocalRateLimit(declared.rateLimit) : null;

  const call = async (args: JsonObject, options: ToolCall): Promise<ToolRun<T>> => {
    if (args === null || typeof args !== "object" || Array.isArray(args)) {
      throw new WardenInputError(`${declared.name}: args must be a JSON object`, [{ field: "args", message: "must be a JSON object" }]);
    }
    if (options === null || typeof options !== "object") {
      throw new WardenInputError(`${declared.name}: the call needs options, at least {confidence}`, [{ field: "confidence", message: "required" }]);
    }
    const resource = options.resource ?? declared.resource?.(args);
    if (declared.scope) {
      if (!resource)
        throw new WardenInputError(`${declared.name}: resource: required, the tool is scoped to ${declared.scope.join(", ")}`, [
          { field: "resource", message: "required" },
        ]);
      if (!matchesAnyScope(resource, declared.scope)) {
        const message = `${resource} is outside the tool's scope (${declared.scope.join(", ")})`;
        throw new WardenInputError(`${declared.name}: resource: ${message}`, [{ field: "resource", message }]);
      }
    }
    const undo = options.undo ?? (typeof declared.undo === "function" ? declared.undo(args) : declared.undo);
    const reversible = declared.reversible ?? undo !== undefined;
    if (declared.reversible === true && !undo) {
      throw new WardenInputError(`${declared.name}: undo: required, the tool is reversible (give it in the declaration or the call)`, [
        { field: "undo", message: "required" },
      ]);
    }
    if (declared.reversible === false && options.undo) {
      throw new WardenInputError(`${declared.name}: undo: the tool is declared irreversible`, [
        { field: "undo", message: "the tool is declared irreversible" },
      ]);
    }
    if (declared.requiresConfirmation) await assertRegistryAsksAHuman(host, declared.name);
    // Counted last, so a call refused for another reason does not use up the limit.
    const retryAfter = limit?.take();
    if (retryAfter != null) throw new ToolRateLimitError(declared.name, limit!.spec, retryAfter);

    const signal = anySignal([options.signal, host.workSignal()]);
    const decision = await host.actions.guard(
      {
        action: options.action ?? declared.describe?.(args) ?? `${declared.name} ${canonicalJson(args)}`.slice(0, 2000),
        tool: declared.name,
        ...(resource ? { resource } : {}),
        args,
        confidence: options.confidence,
        reversible,
        ...(undo ? { undo } : {}),
        ...(options.taskId ? { taskId: options.taskId } : {}),
        ...(options.rationale ? { rationale: options.rationale } : {}),
      },
      { waitSeconds: options.waitSeconds, idempotencyKey: options.idempotencyKey, signal },
    );
    decision.assertAllowed();
    if (declared.requiresConfirmation && decision.decision !== "require_approval") {
      // The registry changed since it was checked: the declaration's promise still holds.
      const message = `not run: ${declared.name} is declared requiresConfirmation, but Warden decided ${decision.decision}`;
      await decision.report({ status: "failed", error: message }).catch((error: unknown) => host.actions.onError(error));
      throw new ToolDeclarationError(message);
    }
    // An undo computed from args is computed again from the args that ran (an approver may have
    // edited them), and goes with the result.
    const undoFor = !options.undo && typeof declared.undo === "function" ? declared.undo : undefined;
    const output = await decision.run(fn, { signal, ...(undoFor ? { undo: undoFor } : {}) });
    return {
      actionId: decision.actionId,
      decision: decision.decision,
      args: decision.approvedArgs ?? {},
      argsEdited: decision.argsEdited,
      recalled: decision.recalled,
      output,
    };
  };
  return Object.assign(call, { declaration: Object.freeze({ ...declaration }) });
}

/** A tool declared `requiresConfirmation` must be one Warden's registry always sends to a human. */
async function assertRegistryAsksAHuman(host: ToolHost, name: string): Promise<void> {
  const registered = await host.registeredTool(name);
  if (!registered) throw new ToolDeclarationError(`${name} is not in Warden's tool registry: register it (PUT /api/v1/tools/${name})`);
  if (!registered.requiresConfirmation) {
    throw new ToolDeclarationError(
      `${name} is declared requiresConfirmation, but Warden's registry lets it run without a human: ` +
        `set requiresConfirmation on the tool in Warden (PUT /api/v1/tools/${name}) before it may run`,
    );
  }
}
