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
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block.split("\n").filter((l) => l && !l.startsWith(":")).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
        );
        if (fields.event) onEvent(fields.event, JSON.parse(fields.data ?? "{}") as Record<string, unknown>);
      }
    }
  }
}
