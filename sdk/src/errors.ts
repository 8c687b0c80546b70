import type { FieldProblem } from "../../server/errors";
import type { ActionStatus, Decision, Reason } from "./types";

export type { FieldProblem };

/** Every error the SDK throws is a WardenError, so callers can tell them from their own. */
export class WardenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Warden answered with an error (`{"error": {code, message, details}}`), after any retries. */
export class WardenApiError extends WardenError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(`Warden answered ${status} ${code}: ${message}`);
  }
}

/** Warden could not be reached (connection refused, reset, timed out), after any retries. */
export class WardenNetworkError extends WardenError {}

/** An input the SDK refused before sending anything; `problems` names each bad field. */
export class WardenInputError extends WardenError {
  constructor(
    message: string,
    readonly problems: FieldProblem[],
  ) {
    super(message);
  }
}

/** The action may not run: denied, rejected, expired, or still waiting for a human at the timeout. */
export class ActionNotAllowedError extends WardenError {
  constructor(
    readonly actionId: string,
    readonly status: ActionStatus,
    readonly decision: Decision,
    readonly reasons: Reason[],
    /** The approver's reason for a rejection. */
    readonly reason: string | null,
  ) {
    const why =
      status === "rejected"
        ? `rejected: ${reason ?? "no reason given"}`
        : status === "pending_approval"
          ? "still waiting for a human when the wait ran out"
          : `${status.replace("_", " ")}: ${reasons.map((r) => r.message).join("; ") || "no reason given"}`;
    super(`Action ${actionId} may not run (${why})`);
  }
}

/**
 * Refused to run args that differ from the approved ones: Warden's approval covers exactly the
 * args whose canonical hash it sent (`approvedArgsHash`), nothing else.
 */
export class ArgsMismatchError extends WardenError {
  constructor(
    readonly actionId: string,
    readonly approvedArgsHash: string | null,
    readonly argsHash: string,
  ) {
    super(
      `Refused to run action ${actionId}: these args are not the approved ones (hash ${argsHash.slice(0, 12)}…, approved ${approvedArgsHash?.slice(0, 12) ?? "none"}…)`,
    );
  }
}

/** Work stopped because an operator suspended or killed this agent (the reason of an aborted signal). */
export class ControlStopError extends WardenError {
  constructor(
    readonly state: "suspended" | "killed",
    readonly reason: string | null,
  ) {
    super(`Stopped: this agent was ${state}${reason ? ` (${reason})` : ""}`);
  }
}

/** A guarded tool was called more often than its declared `rateLimit`, before asking Warden. */
export class ToolRateLimitError extends WardenError {
  constructor(
    readonly tool: string,
    readonly limit: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`${tool}: over its local rate limit of ${limit}; retry in ${retryAfterSeconds} s`);
  }
}

/** A tool's declaration contradicts itself or Warden's tool registry (say, a confirmation Warden would skip). */
export class ToolDeclarationError extends WardenError {}

/**
 * Throw from a guarded tool to report a failure with the reason Warden records as negative
 * knowledge (without one, the error's message is the reason).
 */
export class ToolFailure extends Error {
  readonly failureReason?: string;
  constructor(message: string, options: { failureReason?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "ToolFailure";
    this.failureReason = options.failureReason;
  }
}

/** Throw from a task handler to fail the task with a reason, and say whether Warden should retry it. */
export class TaskFailure extends Error {
  readonly failureReason?: string;
  readonly retry: boolean;
  constructor(message: string, options: { failureReason?: string; retry?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "TaskFailure";
    this.failureReason = options.failureReason;
    this.retry = options.retry ?? true;
  }
}

/** The task's lease was lost (Warden answered 409 to a heartbeat): another agent may have it now. */
export class LeaseLostError extends WardenError {}
