import { expect, test } from "@playwright/test";
import { adminToken, provisionAgent } from "./support/api";
import { E2E_PORT } from "./support/constants";
import { simulateAgent } from "./support/simulated-agent";

test("an agent's control stream carries each event once", async ({ request }) => {
  const token = await adminToken();
  const agent = await provisionAgent(request, token, { name: `stream-${Math.random().toString(36).slice(2, 7)}` });
  const sim = simulateAgent(`http://127.0.0.1:${E2E_PORT}`, agent.key);
  try {
    await sim.waitFor((e) => e.event === "control");
    const auth = { Authorization: `Bearer ${token}` };
    const scope = `agent:${agent.name}`;
    expect((await request.post("/api/v1/control/pause", { headers: auth, data: { scope, reason: "once" } })).status()).toBe(200);
    const paused = await sim.waitFor((e) => e.event === "control" && e.data.state === "paused");
    expect((await request.post("/api/v1/control/resume", { headers: auth, data: { scope, reason: "done" } })).status()).toBe(200);
    await sim.waitFor((e) => e.event === "control" && e.data.state === "running" && Number(e.data.epoch) > Number(paused.data.epoch));
    // Give a duplicate time to arrive: the bus once emitted each event twice in one process.
    await new Promise((r) => setTimeout(r, 1500));
    const ids = sim.received.filter((e) => e.id).map((e) => e.id);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids).size).toBe(ids.length);
  } finally {
    await sim.stop();
  }
});
