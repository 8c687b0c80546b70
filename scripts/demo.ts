import { WardenHttpClient } from "../sdk/src";
import { AGENTS, TEAMS, TOOLS } from "../demo/fleet-spec";
import { SimulatedAgent } from "../demo/simulated-agents";

/**
 * `npm run demo`: nine simulated agents (a lead and eight specialists) on a running Warden,
 * each on the TypeScript SDK with its own agent key. Provisioning (tools, agents, keys) goes
 * through the SDK's HTTP client with an admin's personal token in WARDEN_TOKEN:
 *   npm run warden -- token create --email admin@warden.local --name demo
 */
async function main() {
  // The Warden to drive: WARDEN_URL, else the one `npm start` serves on this machine (PORT).
  const url = process.env.WARDEN_URL ?? `http://localhost:${process.env.PORT ?? 11480}`;
  const token = process.env.WARDEN_TOKEN;
  if (!token) {
    console.error("Set WARDEN_TOKEN to an admin's personal token: npm run warden -- token create --email admin@warden.local --name demo");
    process.exit(2);
  }
  const admin = new WardenHttpClient({ url, key: token });
  for (const { name, ...tool } of TOOLS) await admin.request("PUT", `/api/v1/tools/${name}`, { body: tool, retry: "safe" });
  const { body: listed } = await admin.get<{ agents: { id: string; name: string }[] }>("/api/v1/agents");
  const existing = new Map(listed.agents.map((a) => [a.name, a.id]));
  /** A key for the named agent: registered now, or a fresh key for the one from a previous run. */
  const keyFor = async (name: string, body: Record<string, unknown>): Promise<{ id: string; key: string }> => {
    const id = existing.get(name);
    if (id) {
      const { body: issued } = await admin.post<{ secret: string }>(`/api/v1/agents/${id}/keys`, { name: "demo" }, { retry: "idempotent" });
      return { id, key: issued.secret };
    }
    const { body: created } = await admin.post<{ agent: { id: string }; key: { secret: string } }>(
      "/api/v1/agents",
      { name, ...body },
      { retry: "idempotent" },
    );
    return { id: created.agent.id, key: created.key.secret };
  };
  const lead = await keyFor("lead", { role: "lead", team: "ops", capabilities: ["plan"] });
  const stop = new AbortController();
  const agents = [new SimulatedAgent("lead", "lead", url, lead.key, stop.signal)];
  for (const { name, team } of AGENTS) {
    const { key } = await keyFor(name, { role: "specialist", team, parentId: lead.id, ...TEAMS[team] });
    agents.push(new SimulatedAgent(name, team, url, key, stop.signal));
  }
  console.log(`demo: 9 agents working against ${url}. Watch ${url}/fleet and ${url}/inbox; Ctrl-C stops them.`);
  const shutdown = () => {
    if (stop.signal.aborted) return;
    console.log("\ndemo: stopping the agents…");
    stop.abort();
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  await Promise.all(agents.map((a) => a.run()));
  console.log("demo: stopped.");
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error("demo:", error instanceof Error ? error.message : error);
  process.exit(1);
});
