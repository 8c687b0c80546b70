import { subscribe, type WardenEvent } from "./bus";

const encoder = new TextEncoder();
const KEEPALIVE_MS = 15_000;

/**
 * A Server-Sent Events response carrying bus events that `accept` lets through, with a comment
 * line every 15 s so proxies keep the connection open. Ends when the client goes away.
 */
export function eventStreamResponse(signal: AbortSignal, accept: (event: WardenEvent) => boolean): Response {
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      write("retry: 2000\n\n");
      const unsubscribe = subscribe((event) => {
        if (accept(event)) write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      });
      const keepalive = setInterval(() => write(": keep-alive\n\n"), KEEPALIVE_MS);
      cleanup = () => {
        clearInterval(keepalive);
        unsubscribe();
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      signal.addEventListener("abort", () => cleanup());
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" },
  });
}
