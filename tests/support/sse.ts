export type SseEvent = { id?: string; event: string; data: Record<string, unknown> };

/** Reads Server-Sent Events from a streaming Response, one at a time. */
export function sseReader(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const ready: SseEvent[] = [];
  return {
    async next(timeoutMs = 5000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      while (ready.length === 0) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error("no event arrived in time");
        const chunk = await Promise.race([
          reader.read(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no event arrived in time")), remaining)),
        ]);
        if (chunk.done) throw new Error("the stream ended");
        buffer += decoder.decode(chunk.value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split("\n")
              .filter((line) => line && !line.startsWith(":"))
              .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()]),
          );
          if (fields.event) ready.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data ?? "{}") });
        }
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
    close: () => reader.cancel(),
  };
}
