import { readServerSentEvents } from "../../sdk/src/server-sent-events";

export type SseEvent = { id?: string; event: string; data: Record<string, unknown> };

/** Pulls Server-Sent Events from a streaming Response one at a time, with a timeout. */
export function sseReader(response: Response) {
  const ready: SseEvent[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  const stop = new AbortController();
  const reading = readServerSentEvents(
    response.body!,
    (e) => {
      ready.push({ id: e.id, event: e.event, data: JSON.parse(e.data) as Record<string, unknown> });
      wake?.();
    },
    stop.signal,
  )
    .catch(() => undefined)
    .finally(() => {
      ended = true;
      wake?.();
    });
  return {
    async next(timeoutMs = 5000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      while (ready.length === 0) {
        if (ended) throw new Error("the stream ended");
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error("no event arrived in time");
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, remaining);
        });
        wake = null;
      }
      return ready.shift()!;
    },
    async until(match: (e: SseEvent) => boolean, timeoutMs = 5000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const event = await this.next(Math.max(1, deadline - Date.now()));
        if (match(event)) return event;
      }
    },
    /** Resolves once the server ends the stream; throws if it is still open after `timeoutMs`. */
    async ended(timeoutMs = 5000): Promise<void> {
      const timeout = new Promise<"open">((resolve) => setTimeout(() => resolve("open"), timeoutMs));
      if ((await Promise.race([reading.then(() => "ended" as const), timeout])) === "open") throw new Error("the stream is still open");
    },
    close: async () => {
      stop.abort();
      await reading;
    },
  };
}
