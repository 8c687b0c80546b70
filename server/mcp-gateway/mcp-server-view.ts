import type { DbOrTx } from "../db/client";
import type { McpServer } from "../db/generated/client";
import { notFound } from "../errors";
import type { McpServerView } from "../schemas/mcp-servers";
import { ZMcpServerName } from "../schemas/mcp-servers";
import { upstreamHealth } from "./upstream-supervisor";
import { savedTools, wardenToolName } from "./upstream-tools";

/** A server as admins see it: secrets by name only (`set`), with its tools and this process's health. */
export function toMcpServerView(row: McpServer): McpServerView {
  const set = (names: string[]) => Object.fromEntries(names.map((n) => [n, "set" as const]));
  return {
    name: row.name,
    transport: row.transport === "http" ? "http" : "stdio",
    command: row.command,
    args: row.args,
    url: row.url,
    env: set(row.envNames),
    headers: set(row.headerNames),
    enabled: row.enabled,
    callTimeoutSeconds: row.callTimeoutSeconds,
    tools: savedTools(row.tools).map((tool) => {
      const naming = wardenToolName(row.name, tool.name);
      return { name: naming.name, upstreamName: tool.name, description: tool.description ?? tool.title ?? "", skipped: naming.skipped };
    }),
    discoveredAt: row.discoveredAt?.toISOString() ?? null,
    health: upstreamHealth(row.name, row.enabled),
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedBy,
  };
}

export async function listMcpServers(db: DbOrTx): Promise<McpServerView[]> {
  return (await db.mcpServer.findMany({ orderBy: { name: "asc" } })).map(toMcpServerView);
}

export async function getMcpServer(db: DbOrTx, name: string): Promise<McpServerView> {
  const serverName = ZMcpServerName.parse(name);
  const row = await db.mcpServer.findUnique({ where: { name: serverName } });
  if (!row) throw notFound("MCP server", serverName);
  return toMcpServerView(row);
}
