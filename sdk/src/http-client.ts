import { randomUUID } from "node:crypto";
import { anySignal, sleep } from "./abort";
import { WardenApiError, WardenNetworkError } from "./errors";

/**
 * How a call may be repeated when an attempt fails on the way (network error, 5xx, 429):
 * - `idempotent`: a write that carries one `Idempotency-Key` across all its attempts, so Warden
 *   replays the first answer instead of acting twice;
 * - `safe`: a read, or a write whose repetition changes nothing (an acknowledgement, a lease
 *   renewal);
 * - `unsent`: a write that is neither (a task claim): repeated only when Warden certainly did not
 *   act on it (connection refused, 429, 503), never after a timeout or a reset.
 */
export type RetryMode = "idempotent" | "safe" | "unsent";

export type HttpRequest = {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  retry: RetryMode;
  signal?: AbortSignal;
  /** Time one attempt may take on top of the client's default (a long-poll's wait). */
  extraTimeoutMs?: number;
  /** Fixes the Idempotency-Key (default: a new UUID per call, the same for its retries). */
  idempotencyKey?: string;
};

export type HttpResponse<T> = { status: number; body: T; headers: Headers };

export type WardenHttpOptions = {
  /** Warden's base URL, such as `http://localhost:11480`. */
  url: string;
  /** An agent key (`wdn_agent_…`) or a personal token (`wdn_user_…`). */
  key: string;
  /** The fetch to use (default: the global one); a proxy, a test harness or an in-process router. */
  fetch?: typeof fetch;
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** One attempt's time limit in milliseconds (default 30,000), long-polls get their wait on top. */
  timeoutMs?: number;
  /** The longest Retry-After the client waits out by itself (default 60 s); longer ones are thrown. */
  maxRetryAfterSeconds?: number;
};

const RETRIABLE_STATUS = new Set([429, 500, 502, 503, 504]);
// Statuses after which Warden has certainly not acted: a refusal before any work.
const UNSENT_STATUS = new Set([429, 503]);
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 8_000;

/** Error codes of a connection that never reached Warden, so no request was processed. */
function neverSent(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } }).cause?.code;
  return code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN";
}

/** Seconds from a Retry-After header (seconds or an HTTP date), or null when absent or unreadable. */
export function retryAfterSeconds(header: string | null): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, (at - Date.now()) / 1000);
}

/**
 * Warden's HTTP API as JSON calls with a bearer: the one place the SDK talks to the network.
 * It retries what may be retried (see RetryMode) with exponential backoff and jitter, honours
 * Retry-After, and turns error answers into WardenApiError with Warden's code and message.
 * Agents get it through `Warden`; provisioning scripts may use it with a personal token.
 */
export class WardenHttpClient {
  readonly url: string;
  private readonly key: string;
  private readonly fetchImpl: typeof fetch;
  private readonly retries: number;
  private readonly timeoutMs: number;
  private readonly maxRetryAfterSeconds: number;

  constructor(options: WardenHttpOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.key = options.key;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.retries = options.retries ?? 4;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetryAfterSeconds = options.maxRetryAfterSeconds ?? 60;
  }

  get<T>(path: string, request: Omit<HttpRequest, "retry" | "body"> = {}): Promise<HttpResponse<T>> {
    return this.request<T>("GET", path, { ...request, retry: "safe" });
  }

  post<T>(path: string, body: unknown, request: Omit<HttpRequest, "body">): Promise<HttpResponse<T>> {
    return this.request<T>("POST", path, { ...request, body });
  }

  async request<T>(method: string, path: string, request: HttpRequest): Promise<HttpResponse<T>> {
    const url = new URL(`${this.url}${path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}`, accept: "application/json" };
    let payload: string | undefined;
    if (request.body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(request.body);
    }
    if (request.retry === "idempotent") headers["idempotency-key"] = request.idempotencyKey ?? randomUUID();

    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.retries;
      const timeout = AbortSignal.timeout(this.timeoutMs + (request.extraTimeoutMs ?? 0));
      let response: Response;
      try {
        response = await this.fetchImpl(url, { method, headers, body: payload, signal: anySignal([request.signal, timeout]) });
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason;
        const retriable = request.retry !== "unsent" || neverSent(error);
        const what = timeout.aborted ? `timed out after ${this.timeoutMs + (request.extraTimeoutMs ?? 0)} ms` : describeNetworkError(error);
        if (last || !retriable) throw new WardenNetworkError(`${method} ${url.pathname}: ${what}`, { cause: error });
        await sleep(backoff(attempt), request.signal);
        continue;
      }
      if (response.ok) return { status: response.status, body: await jsonBody<T>(response), headers: response.headers };
      const error = await apiError(response);
      const retriable = RETRIABLE_STATUS.has(response.status) && (request.retry !== "unsent" || UNSENT_STATUS.has(response.status));
      const wait = error.retryAfterSeconds ?? null;
      if (last || !retriable || (wait !== null && wait > this.maxRetryAfterSeconds)) throw error;
      await sleep(wait !== null ? wait * 1000 : backoff(attempt), request.signal);
    }
  }

  /** Opens a streaming GET (Server-Sent Events); the caller reads and closes the body. */
  async openStream(path: string, headers: Record<string, string>, signal: AbortSignal): Promise<Response> {
    const response = await this.fetchImpl(`${this.url}${path}`, {
      headers: { authorization: `Bearer ${this.key}`, accept: "text/event-stream", ...headers },
      signal,
    });
    if (!response.ok) throw await apiError(response);
    return response;
  }
}

function backoff(attempt: number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

async function jsonBody<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (!text) return null as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new WardenApiError(response.status, "unexpected_response", `not JSON: ${text.slice(0, 200)}`);
  }
}

async function apiError(response: Response): Promise<WardenApiError> {
  const text = await response.text().catch(() => "");
  const retryAfter = retryAfterSeconds(response.headers.get("retry-after")) ?? undefined;
  try {
    const { error } = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } };
    if (error?.message) return new WardenApiError(response.status, error.code ?? "error", error.message, error.details, retryAfter);
  } catch {
    // Not Warden's JSON (a proxy's error page, say): report what came back.
  }
  return new WardenApiError(response.status, "unexpected_response", text.slice(0, 500) || response.statusText, undefined, retryAfter);
}
