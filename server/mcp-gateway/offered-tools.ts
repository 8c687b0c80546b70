import type { DbOrTx } from "../db/client";
import { busInvalidatedCache } from "../lib/bus-cache";
import { agentFacingName, savedTools, wardenToolName, type UpstreamTool } from "./upstream-tools";

/** An upstream tool as the gateway offers it: its Warden name, the name agents see, where it runs, its schema. */
export type OfferedTool = { name: string; agentName: string; server: string; upstream: UpstreamTool };

/*
 * Every tool the enabled servers offer, by Warden name, read once per process and dropped when
 * a server changes or lists its tools again (mcp_server.changed): tools/call looks its tool up
 * here on the hot path without a query.
 */
const cache = busInvalidatedCache<Map<string, OfferedTool>>({ maxAgeMs: 5_000, invalidates: (e) => e.type === "mcp_server.changed" });

export function offeredTools(db: DbOrTx): Promise<Map<string, OfferedTool>> {
  return cache.get("all", async () => {
    const rows = await db.mcpServer.findMany({ where: { enabled: true }, select: { name: true, tools: true } });
    const offered = new Map<string, OfferedTool>();
    for (const row of rows) {
      for (const upstream of savedTools(row.tools)) {
        const naming = wardenToolName(row.name, upstream.name);
        if (naming.skipped === null) offered.set(naming.name, { name: naming.name, agentName: agentFacingName(naming.name), server: row.name, upstream });
      }
    }
    return offered;
  });
}

/** The tool a tools/call names, by the name agents see or by its Warden name. */
export async function offeredTool(db: DbOrTx, name: string): Promise<OfferedTool | undefined> {
  const offered = await offeredTools(db);
  return offered.get(name) ?? offered.get(name.replace("__", "."));
}

/** The tools an agent may see: offered ones granted to it, by name. */
export async function toolsGrantedTo(db: DbOrTx, agent: { tools: string[] }): Promise<OfferedTool[]> {
  const offered = await offeredTools(db);
  const granted = new Set(agent.tools);
  return [...offered.values()].filter((t) => granted.has(t.name)).sort((a, b) => a.name.localeCompare(b.name));
}

export function clearOfferedTools(): void {
  cache.clear();
}
