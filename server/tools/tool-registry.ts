import type { Actor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import type { Tool } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { publish } from "../events/bus";
import { busInvalidatedCache } from "../lib/bus-cache";
import { invalidField } from "../errors";
import { resourceArgumentProblem, savedTools } from "../mcp-gateway/upstream-tools";
import { ZPutToolRequest, ZToolName, type PutToolRequest } from "../schemas/tools";

export function toToolView(tool: Tool) {
  return {
    name: tool.name,
    description: tool.description,
    scopes: tool.scopes,
    rateLimit: tool.rateLimit,
    requiresConfirmation: tool.requiresConfirmation,
    reversible: tool.reversible,
    risk: tool.risk,
    resourceArgument: tool.resourceArgument,
    defaultConfidence: tool.defaultConfidence,
    mcpServer: tool.mcpServer,
    updatedAt: tool.updatedAt.toISOString(),
  };
}

export async function listTools(db: DbOrTx) {
  return (await db.tool.findMany({ orderBy: { name: "asc" } })).map(toToolView);
}

const cache = busInvalidatedCache<Tool | null>({ maxAgeMs: 5_000, invalidates: (e) => e.type === "tool.changed" });

/** A tool as the guardrail reads it on every decision (cached, dropped on any change). */
export function getToolForDecision(db: DbOrTx, name: string): Promise<Tool | null> {
  return cache.get(name, () => db.tool.findUnique({ where: { name } }));
}

/**
 * A gateway tool's resource argument must be a required top-level string of the upstream tool's
 * input schema as last listed (the gateway checks it again on every call, since a server may
 * list a new schema at any time). A tool no MCP server offers takes its resource from the
 * proposal itself, and is not checked.
 */
async function checkResourceArgument(db: DbOrTx, toolName: string, argument: string): Promise<void> {
  const dot = toolName.indexOf(".");
  const [serverName, upstreamName] = dot > 0 ? [toolName.slice(0, dot), toolName.slice(dot + 1)] : [null, null];
  const [server, existing] = await Promise.all([
    serverName ? db.mcpServer.findUnique({ where: { name: serverName }, select: { name: true, tools: true } }) : null,
    db.tool.findUnique({ where: { name: toolName }, select: { mcpServer: true } }),
  ]);
  if (!server && !existing?.mcpServer) return;
  const upstream = server ? savedTools(server.tools).find((t) => t.name === upstreamName) : undefined;
  if (!upstream)
    throw invalidField("resourceArgument", "the MCP server has not listed this tool (its input schema is unknown): save it once the server is connected");
  const problem = resourceArgumentProblem(upstream.inputSchema, argument);
  if (problem) throw invalidField("resourceArgument", `${problem}: name a required string argument, or none`);
}

/** Creates or replaces a tool's definition (PUT semantics: omitted flags fall back to defaults). */
export async function putTool(db: DbOrTx, actor: Actor, name: string, request: PutToolRequest, origin?: RequestOrigin) {
  const toolName = ZToolName.parse(name);
  const input = ZPutToolRequest.parse(request);
  if (input.resourceArgument) await checkResourceArgument(db, toolName, input.resourceArgument);
  const data = {
    description: input.description ?? "",
    scopes: [...new Set(input.scopes)],
    rateLimit: input.rateLimit ?? null,
    requiresConfirmation: input.requiresConfirmation ?? false,
    reversible: input.reversible ?? false,
    risk: input.risk ?? "low",
    resourceArgument: input.resourceArgument ?? null,
    defaultConfidence: input.defaultConfidence ?? null,
  };
  const tool = await inTransaction(db, async (tx) => {
    const before = await tx.tool.findUnique({ where: { name: toolName } });
    const saved = await tx.tool.upsert({ where: { name: toolName }, create: { name: toolName, ...data }, update: data });
    await publish(tx, { type: "tool.changed", name: toolName });
    await appendAudit(tx, {
      actor,
      verb: before ? "tool.update" : "tool.create",
      subject: { type: "tool", id: toolName },
      data: { ...data, before: before ? toToolView(before) : null },
      origin,
    });
    return saved;
  });
  cache.clear();
  return toToolView(tool);
}
