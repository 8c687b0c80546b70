import { untilShutdown } from "../lifecycle/shutdown";
import { subscribe, type WardenEvent } from "./bus";

const encoder = new TextEncoder();
const KEEPALIVE_MS = 15_000;

export type SseMessage = { event: string; data: unknown; id?: number | string };

function encode(message: SseMessage): string {
  const id = message.id !== undefined ? `id: ${message.id}\n` : "";
  return `${id}event: ${message.event}\ndata: ${JSON.stringify(message.data)}\n\n`;
}

export type EventStreamOptions = {
  initial?: () => Promise<SseMessage[]>;
  format: (event: WardenEvent) => SseMessage | null | Promise<SseMessage | null>;
  onKeepAlive?: () => void;
  stillAllowed?: { check: () => Promise<boolean>; affectedBy: (event: WardenEvent) => boolean; farewell: SseMessage };
};

/** Where a stream writes: a node response (the agent API) or a ReadableStream (the console). */
export type StreamSink = { write(text: string): void; end(): void };

export const EVENT_STREAM_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
} as const;

/**
 * A Server-Sent Events stream: the `initial` messages first, then each bus event that `format`
 * turns into a message (it may be async, and return null to skip), in order, with a comment line
 * every 15 s so proxies keep the connection open. The stream subscribes to the bus before it
 * loads `initial`, so nothing that commits while it loads is missed. `stillAllowed` re-checks the
 * reader's right to the stream at every keep-alive and as soon as an event it names as
 * `affectedBy` arrives (a session ending, from any instance), then closes the stream after
 * `farewell` when the right is gone.
 *
 * Writes never wait for the reader: a bus event reaches a thousand streams as a thousand
 * buffered socket writes, not a thousand awaited ones.
 */
export class EventStream {
  constructor(
    private readonly signal: AbortSignal,
    private readonly options: EventStreamOptions,
  ) {}

  /** Starts writing to `sink`; returns what stops it (the reader went away). */
  open(sink: StreamSink): () => void {
    const options = this.options;
    let closed = false;
    const write = (text: string) => {
      if (closed) return;
      try {
        sink.write(text);
      } catch {
        cleanup();
      }
    };
    write("retry: 2000\n\n");
    // One promise chain keeps everything in order: first the initial messages (loaded after
    // the subscription below, in the same tick), then each event as it arrives.
    let queue: Promise<void> = Promise.resolve().then(async () => {
      for (const message of (await options.initial?.()) ?? []) write(encode(message));
    });
    // In the same queue as the events, so nothing is sent after the right to it is gone.
    const recheck = () => {
      const allowed = options.stillAllowed;
      if (!allowed) return;
      queue = queue
        .then(async () => {
          if (closed || (await allowed.check())) return;
          write(encode(allowed.farewell));
          cleanup();
        })
        .catch((error: unknown) => console.error("[stream] could not re-check the reader", error));
    };
    const unsubscribe = subscribe((event) => {
      if (options.stillAllowed?.affectedBy(event)) recheck();
      queue = queue
        .then(async () => {
          const message = await options.format(event);
          if (message) write(encode(message));
        })
        .catch((error: unknown) => console.error("[stream] could not send an event", error));
    });
    const keepalive = setInterval(() => {
      write(": keep-alive\n\n");
      options.onKeepAlive?.();
      recheck();
    }, KEEPALIVE_MS);
    const cleanup = () => {
      if (closed) return;
      closed = true;
      clearInterval(keepalive);
      unsubscribe();
      ended.removeEventListener("abort", cleanup);
      try {
        sink.end();
      } catch {
        // already closed
      }
    };
    // Ends with the request, or when the server stops (the client reconnects elsewhere).
    const ended = untilShutdown(this.signal);
    if (ended.aborted) cleanup();
    else ended.addEventListener("abort", cleanup);
    return cleanup;
  }

  /** The stream as a fetch Response (the console's /api/events, in-process callers). */
  toResponse(): Response {
    let stop = () => {};
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        stop = this.open({ write: (text) => controller.enqueue(encoder.encode(text)), end: () => controller.close() });
      },
      cancel: () => stop(),
    });
    return new Response(stream, { headers: EVENT_STREAM_HEADERS });
  }
}

export function eventStreamResponse(signal: AbortSignal, options: EventStreamOptions): Response {
  return new EventStream(signal, options).toResponse();
}
