import { readServerSentEvents } from "../sdk/src/server-sent-events";

/** The public HTTP API, as a small client the demo agents share (issue 8 replaces it with the SDK). */
export class WardenHttp {
  constructor(
    readonly url: string,
    readonly secret: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.secret}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  /** Reads the control stream, calling `onEvent` for each event, until `signal` aborts. */
  async stream(onEvent: (event: string, data: Record<string, unknown>) => void, signal: AbortSignal): Promise<void> {
    const response = await fetch(`${this.url}/api/v1/control/stream`, { headers: { authorization: `Bearer ${this.secret}` }, signal });
    await readServerSentEvents(response.body!, (e) => onEvent(e.event, JSON.parse(e.data) as Record<string, unknown>));
  }
}
