import type { Actor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import type { McpServer } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { invalidField, notFound } from "../errors";
import { publish } from "../events/bus";
import { sealingKey } from "../lib/sealing-key";
import { openSecret, sealSecret } from "../lib/secret-box";
import { ZMcpServerName, ZPutMcpServerRequest, type PutMcpServerRequest } from "../schemas/mcp-servers";

/** What a process needs to connect: the saved configuration with its secrets opened. */
export type UpstreamConfig = {
  name: string;
  transport: "stdio" | "http";
  command: string | null;
  args: string[];
  url: string | null;
  env: Record<string, string>;
  headers: Record<string, string>;
  enabled: boolean;
  callTimeoutSeconds: number;
  /** Changes whenever the configuration does: a connection made from an older one is replaced. */
  version: string;
};

type Secrets = { env: Record<string, string>; headers: Record<string, string> };

async function openSecrets(db: DbOrTx, row: McpServer): Promise<Secrets | null> {
  try {
    return JSON.parse(openSecret(await sealingKey(db), row.sealedSecrets)) as Secrets;
  } catch {
    return null; // sealed under a key since changed: the admin types the secrets again
  }
}

export async function loadUpstreamConfig(db: DbOrTx, name: string): Promise<UpstreamConfig | null> {
  const row = await db.mcpServer.findUnique({ where: { name } });
  if (!row) return null;
  const secrets = await openSecrets(db, row);
  return {
    name: row.name,
    transport: row.transport === "http" ? "http" : "stdio",
    command: row.command,
    args: row.args,
    url: row.url,
    env: secrets?.env ?? {},
    headers: secrets?.headers ?? {},
    // Secrets that no longer open would start the server without its credentials: not at all.
    enabled: row.enabled && (secrets !== null || (row.envNames.length === 0 && row.headerNames.length === 0)),
    callTimeoutSeconds: row.callTimeoutSeconds,
    version: row.updatedAt.toISOString(),
  };
}

/**
 * Resolves `null` values ("keep what was saved") against the saved secrets. A kept secret must
 * go where it was typed for: when the command or the address changes, each is typed again, so
 * an edit cannot send a saved token to a new server.
 */
function mergeSecrets(
  field: "env" | "headers",
  typed: Record<string, string | null> | undefined,
  saved: Record<string, string> | null,
  sameTarget: boolean,
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries(typed ?? {})) {
    if (value !== null) {
      merged[key] = value;
      continue;
    }
    const kept = saved?.[key];
    if (kept === undefined) throw invalidField(`${field}.${key}`, "no saved value to keep: type the value");
    if (!sameTarget)
      throw invalidField(`${field}.${key}`, "the command, its arguments, the address or another variable or header changed: type the value again");
    merged[key] = kept;
  }
  return merged;
}

/** Creates or replaces an upstream MCP server (PUT semantics); every process reconnects to it. */
export async function putMcpServer(db: DbOrTx, actor: Actor, name: string, request: PutMcpServerRequest, origin?: RequestOrigin) {
  const serverName = ZMcpServerName.parse(name);
  const input = ZPutMcpServerRequest.parse(request);
  const key = await sealingKey(db);
  return inTransaction(db, async (tx) => {
    const before = await tx.mcpServer.findUnique({ where: { name: serverName } });
    const saved = before ? await openSecrets(tx, before) : null;
    // A saved secret may be kept only when nothing else about what receives it changes: not the
    // program, its arguments, its address, nor any other variable or header (a new NODE_OPTIONS
    // beside a kept token would hand the token to code the admin token's holder chose).
    const changedBeside = (typed: Record<string, string | null> | undefined, kept: Record<string, string> | null) =>
      Object.entries(typed ?? {}).some(([name, value]) => value !== null && kept?.[name] !== value) ||
      Object.keys(kept ?? {}).some((name) => !(name in (typed ?? {})));
    const sameTarget =
      before !== null &&
      before.transport === input.transport &&
      before.command === (input.command ?? null) &&
      before.url === (input.url ?? null) &&
      JSON.stringify(before.args) === JSON.stringify(input.args ?? []) &&
      !changedBeside(input.env, saved?.env ?? null) &&
      !changedBeside(input.headers, saved?.headers ?? null);
    const env = mergeSecrets("env", input.env, saved?.env ?? null, sameTarget);
    const headers = mergeSecrets("headers", input.headers, saved?.headers ?? null, sameTarget);
    const data = {
      transport: input.transport,
      command: input.command ?? null,
      args: input.args ?? [],
      url: input.url ?? null,
      envNames: Object.keys(env).sort(),
      headerNames: Object.keys(headers).sort(),
      sealedSecrets: sealSecret(key, JSON.stringify({ env, headers } satisfies Secrets)),
      enabled: input.enabled ?? true,
      callTimeoutSeconds: input.callTimeoutSeconds ?? 40,
      updatedBy: actor.label,
    };
    // A new configuration may not offer the same tools: the list is found again on connecting.
    const targetChanged = !sameTarget || before?.args.join("\u0000") !== data.args.join("\u0000");
    await tx.mcpServer.upsert({
      where: { name: serverName },
      create: { name: serverName, ...data },
      update: { ...data, ...(targetChanged ? { tools: [], discoveredAt: null } : {}) },
    });
    await publish(tx, { type: "mcp_server.changed", name: serverName });
    // The audit row names what changed, never a secret's value.
    const { sealedSecrets: _sealed, ...shown } = data;
    await appendAudit(tx, {
      actor,
      verb: before ? "mcp_server.update" : "mcp_server.create",
      subject: { type: "mcp_server", id: serverName },
      data: {
        ...shown,
        before: before
          ? {
              transport: before.transport,
              command: before.command,
              args: before.args,
              url: before.url,
              envNames: before.envNames,
              headerNames: before.headerNames,
              enabled: before.enabled,
            }
          : null,
      },
      origin,
    });
    return serverName;
  });
}

/**
 * Removes an upstream server: its connection closes on every process and its tools leave the
 * gateway, with everything that let an agent use them: their tool rows (scopes, limits, default
 * confidence), the agents' grants of them, and the approvers' live grants for them. A server made
 * again under the same name (perhaps another program) starts with none of them: its tools are
 * discovered anew and granted anew. Past actions keep naming the tools (by name, as text).
 */
export async function deleteMcpServer(db: DbOrTx, actor: Actor, name: string, origin?: RequestOrigin): Promise<void> {
  const serverName = ZMcpServerName.parse(name);
  await inTransaction(db, async (tx) => {
    const before = await tx.mcpServer.findUnique({ where: { name: serverName } });
    if (!before) throw notFound("MCP server", serverName);
    await tx.mcpServer.delete({ where: { name: serverName } });
    // Its tools: discovered on it, or registered by hand under its name before discovery.
    const prefix = `${serverName}.`;
    const tools = (
      await tx.$queryRaw<{ name: string }[]>`
        DELETE FROM tools WHERE mcp_server = ${serverName} OR left(name, ${prefix.length}) = ${prefix} RETURNING name`
    ).map((t) => t.name);
    const agents =
      tools.length === 0
        ? []
        : await tx.$queryRaw<{ id: string; name: string }[]>`
            UPDATE agents SET tools = array(SELECT t FROM unnest(tools) t WHERE t <> ALL(${tools}::text[])), updated_at = now()
             WHERE tools && ${tools}::text[] RETURNING id, name`;
    const grantsEnded =
      tools.length === 0
        ? 0
        : await tx.$executeRaw`
            UPDATE approval_grants SET ended_at = now(), ended_by_label = ${actor.label}, end_reason = ${`MCP server ${serverName} deleted`}
             WHERE tool = ANY(${tools}::text[]) AND ended_at IS NULL`;
    await publish(tx, { type: "mcp_server.changed", name: serverName });
    for (const name of tools) await publish(tx, { type: "tool.changed", name });
    for (const agent of agents) await publish(tx, { type: "agent.changed", agentId: agent.id });
    await appendAudit(tx, {
      actor,
      verb: "mcp_server.delete",
      subject: { type: "mcp_server", id: serverName },
      data: {
        transport: before.transport,
        command: before.command,
        url: before.url,
        toolsRemoved: tools,
        agentsUngranted: agents.map((a) => a.name),
        approvalGrantsEnded: grantsEnded,
      },
      origin,
    });
  });
}
