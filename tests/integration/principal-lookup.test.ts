import { describe, expect, it } from "vitest";
import { authenticateBearer } from "@/server/auth/authenticate-bearer";
import { pgPool } from "@/server/db/pg-pool";
import { hearsOtherInstances, startEventBus } from "@/server/events/bus";
import { db } from "../support/fixtures";
import { makeGrantedAgent, makeTool } from "../support/guardrail-fixtures";

/** Counts the key lookups sent to PostgreSQL while `fn` runs. */
async function countingKeyLookups<T>(fn: () => Promise<T>): Promise<{ result: T; lookups: number }> {
  const pool = pgPool();
  const original = pool.query.bind(pool);
  let lookups = 0;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (config: unknown, ...rest: unknown[]) => {
    if (typeof config === "object" && config !== null && String((config as { text?: string }).text).includes("FROM agent_keys k JOIN agents a")) lookups++;
    return (original as (...args: unknown[]) => unknown)(config, ...rest);
  };
  try {
    return { result: await fn(), lookups };
  } finally {
    (pool as unknown as { query: unknown }).query = original;
  }
}

describe("agent keys looked up", () => {
  it("forty agents calling at the same moment, none cached, are looked up in one statement, each as itself", async () => {
    const tool = await makeTool({ scopes: [] });
    const agents = await Promise.all(Array.from({ length: 40 }, () => makeGrantedAgent([tool.name])));
    const { result, lookups } = await countingKeyLookups(() => Promise.all(agents.map((a) => authenticateBearer(db, a.key))));
    expect(lookups).toBe(1);
    expect(result.map((p) => (p?.kind === "agent" ? p.agent.id : null))).toEqual(agents.map((a) => a.agent.id));
  });

  it("a lookup touches the key's last use and the agent's last sighting, at most every 30 s", async () => {
    const tool = await makeTool({ scopes: [] });
    const { agent, key } = await makeGrantedAgent([tool.name]);
    await db.agentKey.updateMany({ where: { agentId: agent.id }, data: { lastUsedAt: null } });
    await db.agent.update({ where: { id: agent.id }, data: { lastSeenAt: null } });
    expect(await authenticateBearer(db, key)).not.toBeNull();
    const touched = await db.agentKey.findFirstOrThrow({ where: { agentId: agent.id } });
    expect(touched.lastUsedAt).not.toBeNull();
    expect((await db.agent.findUniqueOrThrow({ where: { id: agent.id } })).lastSeenAt).not.toBeNull();
    // Looked up again a second later (the cache has let it go): not touched again within 30 s.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await authenticateBearer(db, key)).not.toBeNull();
    expect((await db.agentKey.findFirstOrThrow({ where: { agentId: agent.id } })).lastUsedAt).toEqual(touched.lastUsedAt);
  });

  it("announcements missed while the LISTEN connection was down do not outlive it: the cache starts over when it is back", async () => {
    await startEventBus();
    const tool = await makeTool({ scopes: [] });
    const { agent, key } = await makeGrantedAgent([tool.name]);
    expect(await authenticateBearer(db, key)).not.toBeNull();
    // Revoked behind Warden's back (no announcement), and the connection that would have heard one dropped.
    await db.agentKey.updateMany({ where: { agentId: agent.id }, data: { revokedAt: new Date() } });
    const listener = (globalThis as unknown as { wardenBus: { listener: { processID: number } | null } }).wardenBus.listener;
    const cachedAt = Date.now();
    await db.$queryRaw`SELECT pg_terminate_backend(${listener!.processID}::int)`;
    for (let i = 0; i < 200 && hearsOtherInstances(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    for (let i = 0; i < 200 && !hearsOtherInstances(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(hearsOtherInstances()).toBe(true);
    const refused = await authenticateBearer(db, key);
    // Within the cache's second: refused because the reconnect emptied it, not because it aged out.
    expect(Date.now() - cachedAt).toBeLessThan(1_000);
    expect(refused).toBeNull();
  });
});
