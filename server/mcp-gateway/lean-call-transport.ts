import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import { JSONRPCMessageSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { createParser } from "eventsource-parser";
import { Agent, request, type Dispatcher } from "undici";

/** The request the SDK's resumption replays the answer to (only its id is read). */
const replayTarget = (id: string | number): JSONRPCMessage => ({ jsonrpc: "2.0", id, method: "tools/call" });

/**
 * The official streamable HTTP client transport, with one path of its own: the POST of a
 * `tools/call`, the gateway's hot path. The SDK posts through `fetch` and reads the answer
 * through three web streams (body, TextDecoderStream, EventSourceParserStream). Against the
 * reference "everything" server that cost 1.1–1.9 ms of CPU per call in the caller, against
 * 0.3–0.6 ms for this path, and 0.8 ms of latency (p50 2.9–3.2 ms against 2.0–2.3 ms); the
 * gateway pays it on every call. This path posts with undici's `request` on a kept connection
 * and reads the event stream with the parser the SDK uses (eventsource-parser), without web
 * streams.
 *
 * Everything else (initialize, tools/list, notifications, the standalone GET stream, session
 * ends, redirects, resumption) is the SDK's own, and so is what a call's answer means: each
 * message goes to the client exactly as the SDK's transport hands it over (JSON-RPC-validated).
 * Two differences, both stricter:
 * - a call's answer stream that breaks, or ends without the answer, fails the call at once (the
 *   SDK reports it and lets the call wait for its timeout), unless the server made it resumable
 *   (an event id): then the SDK's own resumption takes over;
 * - a redirect is handed to the SDK's send, which follows it within the origin (the server did
 *   not take the POST, so sending it again does not run the tool twice).
 */
export class LeanCallTransport extends StreamableHTTPClientTransport {
  private readonly target: URL;
  private readonly headers: Record<string, string>;
  private readonly dispatcher: Dispatcher = new Agent({ keepAliveTimeout: 30_000 });
  /** Aborted by close(), like the SDK's requests (its own controller is private). */
  private readonly closing = new AbortController();
  private readonly callSignal: () => AbortSignal | undefined;

  constructor(
    url: URL,
    options: {
      headers?: Record<string, string>;
      fetch: NonNullable<ConstructorParameters<typeof StreamableHTTPClientTransport>[1]>["fetch"];
      /** The signal of the call a POST is made for, if any (upstream-connection.ts's callSignal). */
      callSignal: () => AbortSignal | undefined;
    },
  ) {
    super(url, { requestInit: { headers: options.headers }, fetch: options.fetch });
    this.target = url;
    this.headers = options.headers ?? {};
    this.callSignal = options.callSignal;
  }

  override async send(message: JSONRPCMessage | JSONRPCMessage[], options?: TransportSendOptions): Promise<void> {
    // Messages from the SDK's own client: a structural test is enough (no schema parse per send).
    const isCall = !Array.isArray(message) && "method" in message && message.method === "tools/call" && "id" in message;
    if (!isCall || options?.resumptionToken) return super.send(message, options);
    try {
      await this.postCall(message, message.id, options);
    } catch (error) {
      // As the SDK's send does: reported to the client, and the call fails with it.
      this.onerror?.(error as Error);
      throw error;
    }
  }

  private async postCall(message: JSONRPCMessage, id: string | number, options: TransportSendOptions | undefined): Promise<void> {
    const call = this.callSignal();
    const signal = call ? AbortSignal.any([this.closing.signal, call]) : this.closing.signal;
    const response = await request(this.target, {
      method: "POST",
      dispatcher: this.dispatcher,
      signal,
      headers: {
        ...(this.sessionId ? { "mcp-session-id": this.sessionId } : {}),
        ...(this.protocolVersion ? { "mcp-protocol-version": this.protocolVersion } : {}),
        ...this.headers,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify(message),
    });
    const status = response.statusCode;
    if (status >= 300 && status < 400) {
      await response.body.dump();
      return super.send(message, options);
    }
    if (status < 200 || status >= 300) {
      const text = await response.body.text().catch(() => null);
      throw new StreamableHTTPError(status, `Error POSTing to endpoint: ${text}`);
    }
    if (status === 202) return void (await response.body.dump());
    const type = String(response.headers["content-type"] ?? "")
      .split(";")[0]!
      .trim()
      .toLowerCase();
    if (type === "application/json") {
      const data: unknown = await response.body.json();
      for (const item of Array.isArray(data) ? data : [data]) this.onmessage?.(JSONRPCMessageSchema.parse(item));
      return;
    }
    if (type !== "text/event-stream") {
      await response.body.dump();
      throw new StreamableHTTPError(-1, `Unexpected content type: ${type}`);
    }
    await this.readAnswerStream(response.body, id, signal, options);
  }

  /** The call's event stream, message by message, until the server ends it. */
  private async readAnswerStream(
    body: Dispatcher.ResponseData["body"],
    id: string | number,
    signal: AbortSignal,
    options: TransportSendOptions | undefined,
  ): Promise<void> {
    let answered = false;
    let lastEventId: string | undefined;
    const parser = createParser({
      onEvent: (event) => {
        if (event.id) {
          lastEventId = event.id;
          options?.onresumptiontoken?.(event.id);
        }
        if (!event.data || (event.event && event.event !== "message")) return;
        try {
          const parsed = JSONRPCMessageSchema.parse(JSON.parse(event.data));
          if ("id" in parsed && parsed.id === id && ("result" in parsed || "error" in parsed)) answered = true;
          this.onmessage?.(parsed);
        } catch (error) {
          // One bad event is reported, as the SDK does; the answer may still follow.
          this.onerror?.(error as Error);
        }
      },
    });
    body.setEncoding("utf8");
    let broken: unknown = null;
    try {
      for await (const chunk of body) parser.feed(chunk as string);
    } catch (error) {
      broken = error;
    }
    if (answered || signal.aborted) return;
    // A server that made the stream resumable (an event id) is asked for the rest, the SDK's way.
    if (lastEventId) return super.send(replayTarget(id), { ...options, resumptionToken: lastEventId });
    throw new Error(
      broken ? `SSE stream disconnected: ${broken instanceof Error ? broken.message : String(broken)}` : "SSE stream ended before the server answered the call",
    );
  }

  override async close(): Promise<void> {
    this.closing.abort(new Error("the connection to the MCP server was closed"));
    await super.close();
    await this.dispatcher.close().catch(() => undefined);
  }
}
