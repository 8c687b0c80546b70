import type { DbOrTx } from "../db/client";
import { subscribe } from "../events/bus";
import { loadUpstreamConfig } from "./mcp-server-registry";
import { UpstreamConnection, type UpstreamHealth } from "./upstream-connection";
import { recordDiscoveredTools } from "./upstream-tools";

/*
 * This process's connections to the upstream MCP servers. Each Warden process supervises its
 * own (a stdio server is a child of the process that serves the gateway call; nothing is shared
 * between instances but the configuration), started when the server starts and on first use,
 * and replaced on every instance when an admin saves or deletes a server (mcp_server.changed on
 * the bus). Kept on globalThis: Next.js bundles modules more than once in one process, and two
 * copies would start every child process twice.
 */
type SupervisorState = {
  connections: Map<string, UpstreamConnection>;
  pending: Map<string, Promise<UpstreamConnection | null>>;
  unsubscribe: (() => void) | null;
};
const holder = globalThis as unknown as { wardenUpstreams?: SupervisorState };
const state: SupervisorState = (holder.wardenUpstreams ??= { connections: new Map(), pending: new Map(), unsubscribe: null });

function follow(db: DbOrTx): void {
  state.unsubscribe ??= subscribe((event) => {
    if (event.type !== "mcp_server.changed") return;
    void reload(db, event.name).catch((error: unknown) => console.error(`[mcp-gateway] reconnecting ${event.name} failed`, error));
  });
}

async function open(db: DbOrTx, name: string): Promise<UpstreamConnection | null> {
  const config = await loadUpstreamConfig(db, name);
  if (!config) return null;
  const connection = new UpstreamConnection(config, (tools) => recordDiscoveredTools(db, name, tools));
  state.connections.set(name, connection);
  connection.start();
  return connection;
}

/** Replaces a server's connection with one made from its configuration as saved now. */
async function reload(db: DbOrTx, name: string): Promise<void> {
  const config = await loadUpstreamConfig(db, name);
  const current = state.connections.get(name);
  if (current && config && current.config.version === config.version) return;
  state.connections.delete(name);
  await current?.close();
  if (config) await connectionFor(db, name);
}

/** The connection to `name`, made on first use; null when no such server is configured. */
export function connectionFor(db: DbOrTx, name: string): Promise<UpstreamConnection | null> {
  follow(db);
  const existing = state.connections.get(name);
  if (existing) return Promise.resolve(existing);
  // Two calls at once make one connection.
  let pending = state.pending.get(name);
  if (!pending) {
    pending = open(db, name).finally(() => state.pending.delete(name));
    state.pending.set(name, pending);
  }
  return pending;
}

/** Connects to every configured server (at start-up, so health and tools are known before use). */
export async function startUpstreams(db: DbOrTx): Promise<void> {
  follow(db);
  const servers = await db.mcpServer.findMany({ select: { name: true } });
  await Promise.all(servers.map((s) => connectionFor(db, s.name)));
}

/** Health as this process sees it; a server it has not connected to yet says so. */
export function upstreamHealth(name: string, enabled: boolean): UpstreamHealth {
  const connection = state.connections.get(name);
  if (connection) return connection.healthNow();
  return { state: enabled ? "connecting" : "disabled", error: null, restarts: 0, since: null, nextAttemptAt: null, lastFailure: null };
}

/** Closes every connection (tests, shutdown): child processes end with them. */
export async function closeUpstreams(): Promise<void> {
  const all = [...state.connections.values()];
  state.connections.clear();
  await Promise.all(all.map((c) => c.close()));
}
