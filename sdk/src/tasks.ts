import { z } from "zod";
import { ZSlug, ZUuid } from "../../server/schemas/common";
import { ZClaimRequest, ZCreateTaskRequest, ZTaskCompleteRequest, ZTaskFailRequest, ZTaskHeartbeatRequest } from "../../server/schemas/tasks";
import { anySignal, sleep } from "./abort";
import type { ControlSubscription } from "./control-subscription";
import { ControlStopError, LeaseLostError, TaskFailure, WardenApiError, WardenInputError } from "./errors";
import type { WardenHttpClient } from "./http-client";
import type { ClaimRequest, CreateTaskRequest, JsonObject, TaskCompletion, TaskFailureReport, TaskLease, TaskView } from "./types";
import { validateInput } from "./validate-input";

export type TaskContext = {
  /** Aborts on suspend or kill, when the lease is lost, or when the runner stops with `abort`. */
  signal: AbortSignal;
  /** Where a previous attempt got to (the last checkpoint saved), or null on a first attempt. */
  checkpoint: JsonObject | null;
  /** Saves a checkpoint now (with a lease renewal): a resumed or retried task starts from it. */
  saveCheckpoint(checkpoint: JsonObject): Promise<void>;
  /** Adds to the task's cost in USD, reported when it completes. */
  addCost(usd: number): void;
};

/** Returns the task's output (a JSON object), or throws (a TaskFailure says whether to retry). */
export type TaskHandler = (task: TaskView, context: TaskContext) => JsonObject | void | Promise<JsonObject | void>;

export type TaskRunOptions = {
  /** How long one claim long-polls for work, in seconds (default 20). */
  waitSeconds?: number;
  /** Stops the runner when it aborts (like `stop`). */
  signal?: AbortSignal;
};

export type TaskRunner = {
  /** Stops claiming; resolves once the task in hand is finished (or aborted, with `abort: true`). */
  stop(options?: { abort?: boolean }): Promise<void>;
  /** Settles when the runner has stopped. */
  readonly done: Promise<void>;
};

const ZCapabilities = z.array(ZSlug).min(1, "name at least one capability");
const ZRunOptions = z.strictObject({ waitSeconds: z.number().int().min(0).max(60).optional(), signal: z.instanceof(AbortSignal).optional() });

/** Tasks from Warden's queue: claim, renew the lease, checkpoint, complete or fail. */
export class WardenTasks {
  constructor(
    private readonly http: WardenHttpClient,
    private readonly control: ControlSubscription,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Works on tasks of a capability (or several) until stopped: claims the next one (only while the agent
   * is running: a pause stops claims, running work finishes), renews its lease in the
   * background, and completes it with the handler's output or fails it with the error. Work cut
   * short by a suspend or kill is left to Warden, which parks (suspend, with its checkpoint) or
   * cancels (kill) the task itself.
   */
  run(capability: string | string[], handler: TaskHandler, options: TaskRunOptions = {}): TaskRunner {
    const served = validateInput(ZCapabilities, typeof capability === "string" ? [capability] : capability, "tasks.run: capability");
    if (typeof handler !== "function")
      throw new WardenInputError("tasks.run: handler: must be a function", [{ field: "handler", message: "must be a function" }]);
    const { waitSeconds = 20, signal } = validateInput(ZRunOptions, options, "tasks.run: options");
    const stopping = new AbortController();
    const aborting = new AbortController();
    const stopSignal = anySignal([stopping.signal, signal]);

    const loop = async () => {
      let delay = 500;
      while (!stopSignal.aborted) {
        try {
          await this.control.waitUntilRunning(stopSignal);
          const lease = await this.claim({ waitSeconds, capabilities: served }, stopSignal);
          delay = 500;
          if (lease) await this.work(lease, handler, anySignal([aborting.signal, signal]));
        } catch (error) {
          if (stopSignal.aborted) break;
          this.onError(error);
          await sleep(delay, stopSignal).catch(() => undefined);
          delay = Math.min(10_000, delay * 2);
        }
      }
    };
    const done = loop();
    return {
      done,
      stop: async ({ abort = false } = {}) => {
        stopping.abort(new Error("the task runner was stopped"));
        if (abort) aborting.abort(new Error("the task runner was stopped"));
        await done;
      },
    };
  }

  /** Queues a task (a lead delegates this way); a repeated `dedupeKey` returns the unfinished task. */
  async create(task: CreateTaskRequest): Promise<{ task: TaskView; created: boolean }> {
    const body = validateInput(ZCreateTaskRequest, task, "create");
    return (await this.http.post<{ task: TaskView; created: boolean }>("/api/v1/tasks", body, { retry: "idempotent" })).body;
  }

  /** POST /api/v1/tasks/claim: the next task (long-polling up to `waitSeconds`), or null. */
  async claim(request: ClaimRequest = {}, signal?: AbortSignal): Promise<TaskLease | null> {
    const body = validateInput(ZClaimRequest, request, "claim");
    // Not idempotent: a repeated claim could lease a second task, so only unsent attempts are retried.
    const { status, body: lease } = await this.http.post<TaskLease | null>("/api/v1/tasks/claim", body, {
      retry: "unsent",
      signal,
      extraTimeoutMs: body.waitSeconds * 1000,
    });
    return status === 204 ? null : lease;
  }

  /** Renews the lease, optionally saving a checkpoint; throws LeaseLostError once it is lost. */
  async heartbeat(taskId: string, checkpoint?: JsonObject, signal?: AbortSignal): Promise<TaskLease> {
    const id = validateInput(ZUuid, taskId, "taskId");
    const body = validateInput(ZTaskHeartbeatRequest, checkpoint ? { checkpoint } : {}, "heartbeat");
    try {
      return (await this.http.post<TaskLease>(`/api/v1/tasks/${id}/heartbeat`, body, { retry: "safe", signal })).body;
    } catch (error) {
      if (error instanceof WardenApiError && error.status === 409) throw new LeaseLostError(`Task ${id}: ${error.message}`, { cause: error });
      throw error;
    }
  }

  async complete(taskId: string, completion: TaskCompletion = {}): Promise<TaskView> {
    const id = validateInput(ZUuid, taskId, "taskId");
    const body = validateInput(ZTaskCompleteRequest, completion, "complete");
    return (await this.http.post<TaskView>(`/api/v1/tasks/${id}/complete`, body, { retry: "idempotent" })).body;
  }

  async fail(taskId: string, failure: TaskFailureReport): Promise<TaskView> {
    const id = validateInput(ZUuid, taskId, "taskId");
    const body = validateInput(ZTaskFailRequest, failure, "fail");
    return (await this.http.post<TaskView>(`/api/v1/tasks/${id}/fail`, body, { retry: "idempotent" })).body;
  }

  private async work(lease: TaskLease, handler: TaskHandler, runnerSignal: AbortSignal): Promise<void> {
    const { task } = lease;
    const lost = new AbortController();
    const signal = anySignal([this.control.signal, lost.signal, runnerSignal]);
    let cost = 0;
    // Renew at a third of the lease, so two renewals can fail before it runs out.
    const leaseMs = Math.max(3_000, Date.parse(lease.leaseExpiresAt) - Date.now());
    const renew = async (checkpoint?: JsonObject) => {
      try {
        await this.heartbeat(task.id, checkpoint);
      } catch (error) {
        if (error instanceof LeaseLostError) lost.abort(error);
        throw error;
      }
    };
    const timer = setInterval(() => void renew().catch((error: unknown) => this.onError(error)), leaseMs / 3);
    const context: TaskContext = {
      signal,
      checkpoint: task.checkpoint,
      saveCheckpoint: (checkpoint) => renew(checkpoint),
      addCost: (usd) => {
        if (!(Number.isFinite(usd) && usd >= 0))
          throw new WardenInputError("addCost: usd must be a number of 0 or more", [{ field: "usd", message: "must be 0 or more" }]);
        cost += usd;
      },
    };
    try {
      let output: JsonObject | void;
      try {
        output = await handler(task, context);
      } catch (error) {
        // Suspended, killed or lease lost: Warden already parked, cancelled or requeued the task.
        if (signal.aborted && (signal.reason instanceof ControlStopError || signal.reason instanceof LeaseLostError)) return;
        const message = (error instanceof Error ? error.message : String(error)).trim().slice(0, 8000) || "failed";
        const failure = error instanceof TaskFailure ? error : null;
        await this.fail(task.id, {
          error: message,
          ...(failure?.failureReason ? { failureReason: failure.failureReason.slice(0, 4000) } : {}),
          retry: failure?.retry ?? true,
        });
        return;
      }
      if (signal.aborted && (signal.reason instanceof ControlStopError || signal.reason instanceof LeaseLostError)) return;
      await this.complete(task.id, { ...(output ? { output } : {}), ...(cost > 0 ? { cost } : {}) });
    } finally {
      clearInterval(timer);
    }
  }
}
