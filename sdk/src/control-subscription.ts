import { ZAckRequest, ZApprovalStreamEvent, ZControlStreamEvent, ZRollbackResultRequest, ZRollbackStreamEvent } from "../../server/schemas/control";
import { ZUuid } from "../../server/schemas/common";
import { sleep } from "./abort";
import { ControlStopError, WardenApiError } from "./errors";
import type { WardenHttpClient } from "./http-client";
import { readServerSentEvents, type ServerSentEvent } from "./server-sent-events";
import type { AckResponse, ControlState, JsonObject, RollbackResult, RollbackStreamEvent } from "./types";
import { validateInput } from "./validate-input";

/** Runs an undo order's args; `actionId` is the action being undone. */
export type UndoHandler = (args: JsonObject, context: { signal: AbortSignal; actionId: string; rollbackId: string }) => unknown;

export type ControlChange = { state: ControlState; previous: ControlState; reason: string | null; epoch: number };

export type ControlSubscriptionOptions = {
  /** The handler for an undo order's tool, or undefined when this agent has none. */
  undoHandler(tool: string): UndoHandler | undefined;
  onError(error: unknown): void;
};

// Warden sends a keep-alive every 15 s: silence for longer than this means a dead connection.
const SILENCE_LIMIT_MS = 40_000;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;

/**
 * The agent's end of the kill switch: holds GET /api/v1/control/stream open (reconnecting with
 * Last-Event-ID, so nothing is missed), keeps the agent's control state, aborts in-flight work
 * on suspend and kill through `signal`, runs the undo orders a kill sends (in the order they
 * come, newest action first) and reports each, and acknowledges every epoch once applied.
 */
export class ControlSubscription {
  private current: ControlState = "running";
  private currentReason: string | null = null;
  private epoch = 0;
  private ackedEpoch = 0;
  private lastEventId: string | undefined;
  private work = new AbortController();
  private readonly closing = new AbortController();
  private running: Promise<void> | null = null;
  private ready: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } | null = null;
  private readonly listeners = new Set<(change: ControlChange) => void>();
  private readonly approvalListeners = new Set<(event: { actionId: string; status: string }) => void>();
  private readonly handledRollbacks = new Set<string>();
  private undoQueue: Promise<void> = Promise.resolve();
  private acking: Promise<void> = Promise.resolve();

  constructor(
    private readonly http: WardenHttpClient,
    private readonly options: ControlSubscriptionOptions,
  ) {}

  /** running, paused, suspended or killed, as last told by Warden. */
  get state(): ControlState {
    return this.current;
  }

  get reason(): string | null {
    return this.currentReason;
  }

  /** The newest control epoch this agent has seen (and acknowledged once applied). */
  get lastEpoch(): number {
    return this.epoch;
  }

  /** The newest epoch Warden has recorded this agent's acknowledgement of. */
  get acknowledgedEpoch(): number {
    return this.ackedEpoch;
  }

  get connected(): boolean {
    return this.running !== null && !this.closing.signal.aborted;
  }

  /** Aborts (with a ControlStopError) when this agent is suspended or killed: pass it to work. */
  get signal(): AbortSignal {
    return this.work.signal;
  }

  /**
   * Opens the stream (once) and resolves when the current state is known; rejects when Warden
   * refuses the key. After that it reconnects by itself until `close`.
   */
  connect(): Promise<void> {
    if (this.closing.signal.aborted) return Promise.reject(new Error("This control subscription was closed"));
    if (!this.ready) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      this.ready = { promise, resolve, reject };
      this.running = this.loop();
    }
    return this.ready.promise;
  }

  /** Closes the stream and waits for undo orders already under way. */
  async close(): Promise<void> {
    this.closing.abort();
    // A connect still waiting for the first state gives up (no-op once it resolved).
    this.ready?.reject(new Error("The control subscription was closed before it connected"));
    await this.running;
    await this.undoQueue;
    await this.acking;
  }

  /** Called on every change of state; returns a function that unsubscribes. */
  onChange(listener: (change: ControlChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called when one of this agent's actions is decided (approved, rejected, expired). */
  onApproval(listener: (event: { actionId: string; status: string }) => void): () => void {
    this.approvalListeners.add(listener);
    return () => this.approvalListeners.delete(listener);
  }

  /** Resolves once the agent is running (at once if it is), or rejects when `signal` aborts. */
  async waitUntilRunning(signal?: AbortSignal): Promise<void> {
    while (this.current !== "running") {
      await new Promise<void>((resolve, reject) => {
        const stop = this.onChange(() => (stop(), signal?.removeEventListener("abort", onAbort), resolve()));
        const onAbort = () => (stop(), reject(signal!.reason));
        if (signal?.aborted) return onAbort();
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
  }

  private async loop(): Promise<void> {
    let delay = RECONNECT_MIN_MS;
    while (!this.closing.signal.aborted) {
      const connection = new AbortController();
      const stopConnection = () => connection.abort();
      this.closing.signal.addEventListener("abort", stopConnection, { once: true });
      let lastByteAt = Date.now();
      const watchdog = setInterval(() => Date.now() - lastByteAt > SILENCE_LIMIT_MS && connection.abort(), 5_000);
      try {
        const headers: Record<string, string> = this.lastEventId ? { "last-event-id": this.lastEventId } : {};
        const response = await this.http.openStream("/api/v1/control/stream", headers, connection.signal);
        delay = RECONNECT_MIN_MS;
        // Keep-alive comments never reach onEvent, so the watchdog watches the bytes instead.
        const touched = response.body!.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              lastByteAt = Date.now();
              controller.enqueue(chunk);
            },
          }),
        );
        await readServerSentEvents(touched, (event) => this.onEvent(event), connection.signal);
      } catch (error) {
        if (this.closing.signal.aborted) break;
        // A refused key will not get better by retrying: tell whoever waits to connect, and stop.
        if (error instanceof WardenApiError && (error.status === 401 || error.status === 403)) {
          this.ready?.reject(error);
          this.options.onError(error);
          return;
        }
        if (!connection.signal.aborted) this.options.onError(error);
      } finally {
        clearInterval(watchdog);
        this.closing.signal.removeEventListener("abort", stopConnection);
      }
      await sleep(delay, this.closing.signal).catch(() => undefined);
      delay = Math.min(RECONNECT_MAX_MS, delay * 2);
    }
  }

  private onEvent(event: ServerSentEvent): void {
    if (event.id) this.lastEventId = event.id;
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      this.options.onError(new Error(`control stream: ${event.event} event is not JSON`));
      return;
    }
    if (event.event === "control") this.onControl(data);
    else if (event.event === "rollback") this.onRollback(data);
    else if (event.event === "approval") {
      const parsed = ZApprovalStreamEvent.safeParse(data);
      if (parsed.success) for (const listener of this.approvalListeners) listener(parsed.data);
    }
  }

  private onControl(data: unknown): void {
    const parsed = ZControlStreamEvent.safeParse(data);
    if (!parsed.success) return this.options.onError(new Error(`control stream: unexpected control event ${JSON.stringify(data)}`));
    const event = parsed.data;
    this.epoch = Math.max(this.epoch, event.epoch);
    // A replayed change names only its scope's level; the effective state follows as `current`.
    if (event.state !== undefined) this.apply(event.state, event.reason ?? null);
    if (event.current) this.ready?.resolve();
    if (event.replayed) return;
    this.acknowledge(this.epoch);
  }

  private apply(state: ControlState, reason: string | null): void {
    const previous = this.current;
    this.currentReason = reason;
    if (state === previous) return;
    this.current = state;
    // Stop in-flight work first, so the acknowledgement that follows means "applied".
    if (state === "suspended" || state === "killed") this.work.abort(new ControlStopError(state, reason));
    else if (this.work.signal.aborted) this.work = new AbortController();
    for (const listener of this.listeners) {
      try {
        listener({ state, previous, reason, epoch: this.epoch });
      } catch (error) {
        this.options.onError(error);
      }
    }
  }

  /** Acknowledgements go one at a time, in order, each for the newest epoch seen. */
  private acknowledge(epoch: number): void {
    if (epoch <= 0) return;
    this.acking = this.acking.then(async () => {
      if (epoch <= this.ackedEpoch) return;
      try {
        const body = validateInput(ZAckRequest, { epoch }, "ack");
        const { body: answer } = await this.http.post<AckResponse>("/api/v1/control/ack", body, { retry: "safe" });
        this.ackedEpoch = Math.max(this.ackedEpoch, answer.ackedEpoch, epoch);
      } catch (error) {
        this.options.onError(error);
      }
    });
  }

  private onRollback(data: unknown): void {
    const parsed = ZRollbackStreamEvent.safeParse(data);
    if (!parsed.success) return this.options.onError(new Error(`control stream: unexpected rollback event ${JSON.stringify(data)}`));
    const order = parsed.data;
    if (this.handledRollbacks.has(order.rollbackId)) return;
    this.handledRollbacks.add(order.rollbackId);
    // Undo orders come only from a kill, and Warden sends them just before the kill's control
    // event: stop the work in hand before undoing anything (a replay is an old kill, long applied).
    if (!order.replayed) this.apply("killed", this.current === "killed" ? this.currentReason : "kill");
    // One at a time, in the order Warden sent them: newest action first.
    this.undoQueue = this.undoQueue.then(() => this.runUndo(order));
  }

  private async runUndo(order: RollbackStreamEvent): Promise<void> {
    const handler = this.options.undoHandler(order.undo.tool);
    let result: RollbackResult;
    if (!handler) {
      result = { status: "failed", error: `this agent has no handler for ${order.undo.tool}: run the undo by hand` };
    } else {
      try {
        // Not the work signal: that one is aborted by the very kill that ordered this undo.
        await handler(order.undo.args, { signal: this.closing.signal, actionId: order.actionId, rollbackId: order.rollbackId });
        result = { status: "succeeded" };
      } catch (error) {
        result = { status: "failed", error: (error instanceof Error ? error.message : String(error)).slice(0, 4000) || "failed" };
      }
    }
    try {
      await this.reportRollback(order.rollbackId, result);
    } catch (error) {
      // 409: already reported (a person marked it done by hand, or a replay after a reconnect).
      if (!(error instanceof WardenApiError && error.status === 409)) this.options.onError(error);
    }
  }

  /** POST /api/v1/rollbacks/:id/result. */
  async reportRollback(rollbackId: string, result: RollbackResult): Promise<void> {
    const id = validateInput(ZUuid, rollbackId, "rollbackId");
    const body = validateInput(ZRollbackResultRequest, result, "rollback result");
    await this.http.post(`/api/v1/rollbacks/${id}/result`, body, { retry: "idempotent" });
  }
}
