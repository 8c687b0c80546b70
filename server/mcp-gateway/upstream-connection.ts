import { AsyncLocalStorage } from "node:async_hooks";
import type { ChildProcess } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, McpError, ToolListChangedNotificationSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { LeanCallTransport } from "./lean-call-transport";
import type { UpstreamConfig } from "./mcp-server-registry";
import type { UpstreamTool } from "./upstream-tools";

export type UpstreamHealth = {
  state: "disabled" | "connecting" | "ready" | "failed";
  error: string | null;
  restarts: number;
  since: string | null;
  nextAttemptAt: string | null;
  lastFailure: { at: string; error: string } | null;
};

/**
 * An upstream that cannot take a call, or failed it in transport: the message says why and when
 * Warden tries again. `duringCall`: the call had reached the server (its program exited, the
 * connection broke mid-answer), so its input may be the cause and the failure is a lesson; a
 * server that was down, unreachable or removed before the call reached it is not one.
 */
export class UpstreamUnavailable extends Error {
  constructor(
    message: string,
    readonly duringCall = false,
  ) {
    super(message);
  }
}

/** Errors that say the request never reached the server (nothing the call sent caused them). */
const NOT_REACHED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

function reachedServer(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (NOT_REACHED.has((e as { code?: unknown }).code as string)) return false;
  }
  return true;
}

const CONNECT_TIMEOUT_MS = 20_000;
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** How long a call waits for a connection being (re)made before it gives up. */
const READY_WAIT_MS = 10_000;
const STDERR_KEPT_BYTES = 2_000;
/** tools/list_changed notifications this close together make one listing. */
const LIST_CHANGED_DEBOUNCE_MS = 250;

/**
 * fetch with a signal of its own for each request. The SDK's streamable HTTP transport passes its
 * one long-lived signal (aborted when it closes) to every fetch; undici adds an abort listener to
 * it per request and removes it only once that request is garbage-collected, so a busy
 * connection piled up thousands (a MaxListenersExceededWarning past 1500, and memory). A signal
 * made by AbortSignal.any follows the long-lived one without a listener on it.
 */
export const fetchWithOwnSignal = (url: string | URL, init?: RequestInit): Promise<Response> => {
  const signals = [init?.signal, callSignal.getStore()].filter((signal): signal is AbortSignal => Boolean(signal));
  return unpatchedFetch()(url, signals.length > 0 ? { ...init, signal: AbortSignal.any(signals) } : init);
};

/**
 * The signal of the call a request is made for (set around callTool below). The SDK posts a call
 * with the transport's signal only and cancels it by posting notifications/cancelled, which a
 * stateless server cannot match to the request it is running; aborting the call's own POST
 * closes that request, which any server sees.
 */
const callSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * Node's own fetch, not the one Next.js puts in its place in the server process (for its data
 * cache and tracing): a gateway call to an upstream needs neither, and Next's wrapper cost about
 * 0.25 ms of CPU per call (measured in the gateway benchmark's profile). Next keeps the original
 * on its wrapper as `_nextOriginalFetch` for code outside it; elsewhere fetch is node's already.
 */
function unpatchedFetch(): typeof fetch {
  return (globalThis.fetch as typeof fetch & { _nextOriginalFetch?: typeof fetch })._nextOriginalFetch ?? globalThis.fetch;
}

/**
 * One upstream MCP server as this process keeps it: connected with the official SDK client
 * (a supervised child process for stdio, streamable HTTP otherwise), its tools listed on every
 * connect, and reconnected with exponential backoff (0.5 s doubling to 30 s) whenever the
 * connection drops or cannot be made, until closed. A stdio server that crashes is so started
 * again; the calls that were in flight fail with the reason.
 */
export class UpstreamConnection {
  private client: Client | null = null;
  private transport: Transport | null = null;
  private health: UpstreamHealth;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private stderr = "";
  /** How the last stdio child ended: "exit code 3", "signal SIGKILL". */
  private exited: string | null = null;
  /**
   * Why the server is not connected, as agents are told: without the child's stderr, which may
   * hold what a crashing server printed (a token among it). Admins see the tail in `health.error`.
   */
  private agentReason: string | null = null;
  private listChangedTimer: ReturnType<typeof setTimeout> | null = null;
  private readyWaiters = new Set<() => void>();

  constructor(
    readonly config: UpstreamConfig,
    private readonly onTools: (tools: UpstreamTool[]) => Promise<unknown>,
  ) {
    this.health = {
      state: config.enabled ? "connecting" : "disabled",
      error: null,
      restarts: 0,
      since: new Date().toISOString(),
      nextAttemptAt: null,
      lastFailure: null,
    };
  }

  start(): void {
    if (this.config.enabled) void this.connect();
  }

  healthNow(): UpstreamHealth {
    return { ...this.health };
  }

  /** The child process of a stdio server (tests kill it to see the restart). */
  get pid(): number | null {
    return this.transport instanceof StdioClientTransport ? this.transport.pid : null;
  }

  private setHealth(state: UpstreamHealth["state"], error: string | null, nextAttemptAt: Date | null = null): void {
    this.health = { ...this.health, state, error, since: new Date().toISOString(), nextAttemptAt: nextAttemptAt?.toISOString() ?? null };
    if (state !== "connecting") for (const wake of this.readyWaiters) wake();
  }

  private makeTransport(): Transport {
    const { config } = this;
    if (config.transport === "http") {
      return new LeanCallTransport(new URL(config.url!), {
        headers: config.headers,
        fetch: fetchWithOwnSignal,
        callSignal: () => callSignal.getStore(),
      });
    }
    // The child gets the usual safe variables (PATH, HOME, …) and what the admin set, never
    // Warden's own environment (its database address, its secrets).
    const stdio = new StdioClientTransport({ command: config.command!, args: config.args, env: { ...getDefaultEnvironment(), ...config.env }, stderr: "pipe" });
    this.stderr = "";
    this.exited = null;
    // Drained so the child never blocks on a full pipe; the tail explains a crash (to admins).
    stdio.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-STDERR_KEPT_BYTES);
    });
    // The SDK does not pass on how the child ended: read from the child it spawns ("exit" comes
    // before the "close" that closes the transport, so it is known when the connection drops).
    const start = stdio.start.bind(stdio);
    stdio.start = async () => {
      await start();
      const child = (stdio as unknown as { _process?: ChildProcess })._process;
      child?.once("exit", (code, signal) => {
        this.exited = code !== null ? `exit code ${code}` : `signal ${signal ?? "unknown"}`;
      });
    };
    return stdio;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.setHealth("connecting", this.health.error);
    const client = new Client({ name: "warden-gateway", version: "1.0.0" }, { capabilities: {} });
    const transport = this.makeTransport();
    this.client = client;
    this.transport = transport;
    let connected = false;
    client.onclose = () => {
      if (this.client !== client || this.closed) return;
      // An HTTP server that cannot be reached while connecting: the failed connect says why.
      if (!connected && this.config.transport === "http") return;
      this.client = null;
      const tail = this.stderr.trim().split("\n").slice(-3).join(" | ");
      const how = this.exited ? ` (${this.exited})` : "";
      const reason = connected ? `the server closed the connection${how}` : `the server exited while starting${how}`;
      this.scheduleRetry(reason, tail ? `${reason}: ${tail}` : reason);
    };
    try {
      await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS });
      connected = true;
      // A burst of notifications makes one listing (each listing writes the tools and makes every
      // process read them again).
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        if (this.listChangedTimer) return;
        this.listChangedTimer = setTimeout(() => {
          this.listChangedTimer = null;
          if (this.client !== client) return;
          void this.discover(client).catch((error: unknown) => console.error(`[mcp-gateway] ${this.config.name}: listing tools again failed`, error));
        }, LIST_CHANGED_DEBOUNCE_MS);
        this.listChangedTimer.unref();
      });
      await this.discover(client);
      if (this.client !== client) return;
      this.attempts = 0;
      this.setHealth("ready", null);
    } catch (error) {
      if (this.client !== client || this.closed) return;
      this.client = null;
      await client.close().catch(() => undefined);
      this.scheduleRetry(agentSafeReason(error), error instanceof Error ? error.message : String(error));
    }
  }

  private async discover(client: Client): Promise<void> {
    const tools: UpstreamTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const listed = await client.listTools(cursor ? { cursor } : {}, { timeout: CONNECT_TIMEOUT_MS });
      tools.push(...(listed.tools as UpstreamTool[]));
      cursor = listed.nextCursor;
      if (!cursor) break;
    }
    await this.onTools(tools);
  }

  /** `reason` is what agents are told; `detail` (the reason with the child's stderr) what admins see. */
  private scheduleRetry(reason: string, detail = reason): void {
    if (this.closed) return;
    const delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** this.attempts);
    this.attempts++;
    this.health.restarts++;
    this.agentReason = reason;
    this.health.lastFailure = { at: new Date().toISOString(), error: detail };
    this.setHealth("failed", detail, new Date(Date.now() + delay));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  private async readyClient(signal: AbortSignal): Promise<Client> {
    if (this.health.state === "connecting" && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.readyWaiters.delete(done);
          signal.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, READY_WAIT_MS);
        this.readyWaiters.add(done);
        signal.addEventListener("abort", done, { once: true });
      });
    }
    if (this.health.state === "ready" && this.client) return this.client;
    if (this.health.state === "disabled") throw new UpstreamUnavailable(`MCP server ${this.config.name} is disabled`);
    const retry = this.health.nextAttemptAt ? `; Warden tries again at ${this.health.nextAttemptAt}` : "";
    throw new UpstreamUnavailable(`MCP server ${this.config.name} is not connected (${this.agentReason ?? this.health.state})${retry}`);
  }

  /**
   * Calls a tool upstream. Aborting `signal` cancels it there too: the SDK sends MCP's
   * notifications/cancelled for the request. A call running past the server's timeout is
   * cancelled the same way and fails with a timeout.
   */
  async callTool(
    name: string,
    args: Record<string, unknown>,
    options: { signal: AbortSignal; onProgress?: (progress: { progress: number; total?: number; message?: string }) => void },
  ): Promise<CallToolResult> {
    const client = await this.readyClient(options.signal);
    try {
      return (await callSignal.run(options.signal, () =>
        client.callTool({ name, arguments: args }, undefined, {
          signal: options.signal,
          timeout: this.config.callTimeoutSeconds * 1000,
          ...(options.onProgress ? { onprogress: options.onProgress } : {}),
        }),
      )) as CallToolResult;
    } catch (error) {
      // Warden closed the connection (the server was saved again or deleted): not the call's doing.
      if (this.closed && !options.signal.aborted) throw new UpstreamUnavailable(`MCP server ${this.config.name} was reconfigured or removed during the call`);
      // An error of the transport, not an answer of the server (an McpError, a timeout among
      // them): an HTTP server that went away, or restarted and forgot this connection's session,
      // fails every later call the same way, so the connection is made again.
      if (!(error instanceof McpError) && !options.signal.aborted && this.client === client) this.reconnect(client, error);
      // The child ended during the call: the agent is told how, not what it printed.
      if (this.exited && this.client !== client && !options.signal.aborted)
        throw new UpstreamUnavailable(`MCP server ${this.config.name} exited during the call (${this.exited})`, true);
      if (!(error instanceof McpError) && !options.signal.aborted)
        throw new UpstreamUnavailable(`MCP server ${this.config.name}: ${agentSafeReason(error)}`, reachedServer(error));
      // The SDK says "Request timed out": the agent and the lesson are told which limit it was.
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout && !options.signal.aborted) {
        throw new McpError(
          ErrorCode.RequestTimeout,
          `the call timed out after ${this.config.callTimeoutSeconds} s (the callTimeoutSeconds of MCP server ${this.config.name}) and was cancelled`,
        );
      }
      throw error;
    }
  }

  private reconnect(client: Client, error: unknown): void {
    this.client = null;
    this.attempts = 0;
    void client.close().catch(() => undefined);
    this.scheduleRetry(
      `a call failed in transport: ${agentSafeReason(error)}`,
      `a call failed in transport: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.listChangedTimer) clearTimeout(this.listChangedTimer);
    const client = this.client;
    this.client = null;
    this.setHealth("disabled", null);
    await client?.close().catch(() => undefined);
  }
}

/**
 * What an agent (and the lessons every agent reads) may be told of a transport error: its kind
 * and HTTP status, never its text. The SDK puts an HTTP error's whole body in the message, and a
 * server refusing the admin's credentials may quote them back ("Incorrect API key provided:
 * sk-…"); admins read the full text in the server's health.
 */
function agentSafeReason(error: unknown): string {
  if (error instanceof McpError) return error.message;
  // The SDK's StreamableHTTPError carries the status as its code; node's fetch errors a cause's.
  const status = (error as { code?: unknown } | null)?.code;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  const kind = typeof status === "number" && status >= 100 && status < 600 ? ` (HTTP ${status})` : typeof cause === "string" ? ` (${cause})` : "";
  return `the connection failed${kind}`;
}
