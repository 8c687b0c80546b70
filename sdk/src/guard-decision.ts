import { performance } from "node:perf_hooks";
import { argsHash } from "../../server/lib/canonical-json";
import { MAX_ARGS_BYTES } from "../../server/schemas/actions";
import { anySignal } from "./abort";
import { ActionNotAllowedError, ArgsMismatchError, ToolFailure, WardenError, WardenInputError } from "./errors";
import type { ActionResult, ActionStatus, ActionView, Decision, JsonObject, ProposeActionResponse, Reason, RecalledMemory, UndoOrder } from "./types";

/** What a guarded function receives besides its args. */
export type ActionContext = {
  /** Aborts when the caller's signal does, or when an operator suspends or kills this agent. */
  signal: AbortSignal;
  /** The action running, or, for an undo order after a kill, the action being undone. */
  actionId: string;
  /** True when an approver changed the args before approving them. */
  argsEdited: boolean;
  /** Set when this run is an undo order after a kill (the operator's order, not a proposal). */
  rollbackId?: string;
  /** Adds to the action's cost in USD, reported with its result. */
  addCost(usd: number): void;
};

export type RunOptions = {
  /** The args to run; they must be exactly the approved ones (default: the approved args). */
  args?: JsonObject;
  signal?: AbortSignal;
  /**
   * The undo for the args that ran, sent with the result: after an approver's edit it undoes
   * what actually ran, not what was proposed.
   */
  undo?: (args: JsonObject) => UndoOrder | undefined;
};

/** The calls a decision makes after it was given: reporting the result. */
export type ResultReporter = {
  report(actionId: string, result: ActionResult): Promise<ActionView>;
  onError(error: unknown): void;
  /** Aborts on a suspend or a kill of this agent: every run stops on it, as tools' runs do. */
  workSignal(): AbortSignal | undefined;
};

type DecisionFields = {
  actionId: string;
  decision: Decision;
  status: ActionStatus;
  reasons: Reason[];
  recalled: RecalledMemory[];
  policyVersion: number;
  approvedArgs: JsonObject | null;
  approvedArgsHash: string | null;
  argsEdited: boolean;
  reason: string | null;
  decidedBy: string | null;
  expiresAt: string | null;
  retryAfterSeconds: number | null;
  output: JsonObject | null;
  error: string | null;
};

/**
 * Warden's answer to "may I?", after any wait for a human. `run` is the one way the SDK
 * executes an approved action: it runs the approved args and nothing else (checked against the
 * approval's args hash), at most once, and reports success or failure with its reason.
 */
export class GuardDecision implements DecisionFields {
  readonly actionId: string;
  readonly decision: Decision;
  readonly status: ActionStatus;
  readonly reasons: Reason[];
  /** Memories Warden recalled for this action: past failures to learn from before acting. */
  readonly recalled: RecalledMemory[];
  readonly policyVersion: number;
  readonly approvedArgs: JsonObject | null;
  readonly approvedArgsHash: string | null;
  readonly argsEdited: boolean;
  /** The approver's reason, for a rejection. */
  readonly reason: string | null;
  readonly decidedBy: string | null;
  readonly expiresAt: string | null;
  /** For a denial by rate limit: when to ask again. */
  readonly retryAfterSeconds: number | null;
  /**
   * What was reported when the action ran (status `succeeded` or `failed`): an action found
   * again by its `externalId` (a step the framework re-ran) returns this rather than run twice.
   */
  readonly output: JsonObject | null;
  readonly error: string | null;
  private ran = false;

  constructor(
    private readonly reporter: ResultReporter,
    fields: DecisionFields,
  ) {
    this.actionId = fields.actionId;
    this.decision = fields.decision;
    this.status = fields.status;
    this.reasons = fields.reasons;
    this.recalled = fields.recalled;
    this.policyVersion = fields.policyVersion;
    this.approvedArgs = fields.approvedArgs;
    this.approvedArgsHash = fields.approvedArgsHash;
    this.argsEdited = fields.argsEdited;
    this.reason = fields.reason;
    this.decidedBy = fields.decidedBy;
    this.expiresAt = fields.expiresAt;
    this.retryAfterSeconds = fields.retryAfterSeconds;
    this.output = fields.output;
    this.error = fields.error;
  }

  static fromProposal(reporter: ResultReporter, answer: ProposeActionResponse): GuardDecision {
    return new GuardDecision(reporter, {
      actionId: answer.id,
      decision: answer.decision,
      status: answer.status,
      reasons: answer.reasons,
      recalled: answer.recalled,
      policyVersion: answer.policyVersion,
      approvedArgs: answer.approvedArgs,
      approvedArgsHash: answer.approvedArgsHash,
      // An action found again by its externalId answers as it is now: maybe decided, maybe run.
      argsEdited: answer.argsEdited ?? false,
      reason: answer.reason ?? null,
      decidedBy: answer.decidedBy ?? null,
      expiresAt: answer.approval?.expiresAt ?? null,
      retryAfterSeconds: answer.retryAfterSeconds ?? null,
      output: answer.output ?? null,
      error: answer.error ?? null,
    });
  }

  static fromView(reporter: ResultReporter, view: ActionView): GuardDecision {
    return new GuardDecision(reporter, {
      actionId: view.id,
      decision: view.decision,
      status: view.status,
      reasons: view.reasons,
      recalled: view.recalled,
      policyVersion: view.policyVersion,
      approvedArgs: view.approvedArgs,
      approvedArgsHash: view.approvedArgsHash,
      argsEdited: view.argsEdited,
      reason: view.reason,
      decidedBy: view.decidedBy,
      expiresAt: view.expiresAt,
      retryAfterSeconds: null,
      output: view.output,
      error: view.error,
    });
  }

  /** True when the action may run now (auto, with notification, or approved by a human). */
  get allowed(): boolean {
    return this.status === "approved";
  }

  /** Throws ActionNotAllowedError unless the action may run. */
  assertAllowed(): void {
    if (!this.allowed) throw new ActionNotAllowedError(this.actionId, this.status, this.decision, this.reasons, this.reason);
  }

  /**
   * Throws ArgsMismatchError unless `args` are exactly the approved ones. The approval's hash is
   * the authority: approved args altered after Warden hashed them are refused as well.
   */
  assertApprovedArgs(args: JsonObject): void {
    this.assertAllowed();
    const hash = argsHash(args);
    if (hash !== this.approvedArgsHash) throw new ArgsMismatchError(this.actionId, this.approvedArgsHash, hash);
  }

  /**
   * Runs `fn` with the approved args (or `options.args`, which must equal them), once, and
   * reports the outcome: its return value as the output, or the error with its failure reason
   * (a ToolFailure's `failureReason`, else the message), which Warden keeps as negative
   * knowledge. A stop by the control plane is reported as a failure without a lesson.
   */
  async run<T>(fn: (args: JsonObject, context: ActionContext) => T | Promise<T>, options: RunOptions = {}): Promise<T> {
    const args = options.args ?? this.approvedArgs ?? {};
    this.assertApprovedArgs(args);
    if (this.ran) throw new WardenError(`Action ${this.actionId} already ran: an approval covers one execution`);
    this.ran = true;
    // A suspend or a kill stops the work in hand, whichever way the action was guarded.
    const signal = anySignal([options.signal, this.reporter.workSignal()]);
    // A deep-frozen copy: the function cannot change the args it was approved with.
    const approved = deepFreeze(structuredClone(args));
    const started = performance.now();
    let cost = 0;
    const addCost = (usd: number) => {
      if (!(Number.isFinite(usd) && usd >= 0))
        throw new WardenInputError("addCost: usd must be a number of 0 or more", [{ field: "usd", message: "must be 0 or more" }]);
      cost += usd;
    };
    let output: T;
    try {
      output = await fn(approved, { signal, actionId: this.actionId, argsEdited: this.argsEdited, addCost });
    } catch (error) {
      const stopped = signal.aborted;
      await this.report({
        status: "failed",
        error: truncate(stopped ? `stopped: ${messageOf(signal.reason)}` : messageOf(error), 8000),
        ...(stopped ? {} : { failureReason: truncate(failureReasonOf(error), 4000) }),
        durationMs: Math.round(performance.now() - started),
        ...(cost > 0 ? { cost } : {}),
      }).catch((reportError: unknown) => this.reporter.onError(reportError));
      throw error;
    }
    // The action happened: a failed report must not make the caller think otherwise (and run it again).
    const durationMs = Math.round(performance.now() - started);
    const undo = options.undo?.(approved);
    await this.report({ status: "succeeded", output: asOutput(output), durationMs, ...(cost > 0 ? { cost } : {}), ...(undo ? { undo } : {}) }).catch(
      (reportError: unknown) => this.reporter.onError(reportError),
    );
    return output;
  }

  /** Reports the outcome of an action run outside `run` (POST /api/v1/actions/:id/result). */
  report(result: ActionResult): Promise<ActionView> {
    return this.reporter.report(this.actionId, result);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function failureReasonOf(error: unknown): string {
  if (error instanceof ToolFailure && error.failureReason) return error.failureReason;
  const reason = (error as { failureReason?: unknown } | null)?.failureReason;
  return typeof reason === "string" && reason.trim() ? reason : messageOf(error);
}

function truncate(text: string, max: number): string {
  const trimmed = text.trim() || "(no message)";
  return trimmed.length <= max ? trimmed : `${trimmed.slice(0, max - 1)}…`;
}

/** A function's return value as an action's output: a JSON object within Warden's size limit. */
function asOutput(value: unknown): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  const object = typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : { value };
  let text: string;
  try {
    text = JSON.stringify(object);
  } catch (error) {
    return { unserializable: messageOf(error) };
  }
  const bytes = Buffer.byteLength(text);
  return bytes <= MAX_ARGS_BYTES ? (JSON.parse(text) as JsonObject) : { truncated: true, bytes };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
