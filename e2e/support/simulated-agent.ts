import { readServerSentEvents } from "../../sdk/src/server-sent-events";

/**
 * A simulated agent for end-to-end tests: holds the control stream open like a real agent,
 * records the events it receives, and acknowledges each control epoch it is told about.
 */
export function simulateAgent(base: string, key: string) {
  const received: { event: string; id?: string; data: Record<string, unknown>; at: number }[] = [];
  const controller = new AbortController();
  const auth = { authorization: `Bearer ${key}` };
  const done = (async () => {
    const response = await fetch(`${base}/api/v1/control/stream`, { headers: auth, signal: controller.signal });
    await readServerSentEvents(response.body!, async ({ event, id, data: text }) => {
      const data = JSON.parse(text) as Record<string, unknown>;
      received.push({ event, id, data, at: Date.now() });
      if (event === "control" && typeof data.epoch === "number" && data.epoch > 0) {
        await fetch(`${base}/api/v1/control/ack`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify({ epoch: data.epoch }),
        });
      }
    });
  })().catch((error: unknown) => {
    if ((error as Error).name !== "AbortError") throw error;
  });
  return {
    received,
    waitFor: async (match: (e: (typeof received)[number]) => boolean, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const hit = received.find(match);
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error("the simulated agent did not receive the expected event");
    },
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}
