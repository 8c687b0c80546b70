import { SYSTEM } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { publish } from "../events/bus";
import { ZSlug } from "../schemas/common";
import { exceedsDepth } from "../schemas/safe-json";

/** A tool as an upstream server lists it (what the gateway stores and hands to agents). */
export type UpstreamTool = {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
};

/**
 * The Warden name of an upstream tool, `<server>.<tool>`, or why it has none. Upstream names may
 * hold capitals or characters a Warden tool name cannot: such a tool is not offered rather than
 * renamed, since a renamed tool could collide with another one.
 */
export function wardenToolName(server: string, upstream: string): { name: string; skipped: null } | { name: string; skipped: string } {
  const name = `${server}.${upstream}`;
  const parsed = ZSlug.safeParse(name);
  if (parsed.success && parsed.data === name) return { name, skipped: null };
  return {
    name,
    skipped: `not offered: ${JSON.stringify(upstream)} does not make a Warden tool name (${parsed.error?.issues[0]?.message ?? "it changes when trimmed"})`,
  };
}

/**
 * The name agents see in tools/list: the Warden name with `__` for its dot. Model APIs take tool
 * names of letters, digits, `_` and `-` only (OpenAI's and Anthropic's both refuse a dot), so a
 * dotted name would fail the agent's first request; `__` is what MCP clients already use to
 * join a server's name to its tool's. tools/call takes either name.
 */
export function agentFacingName(wardenName: string): string {
  return wardenName.replace(".", "__");
}

/**
 * Why `argument` cannot name the resource of a tool with this input schema, or null when it can:
 * it must be a top-level property of type string that the schema requires. Anything looser (an
 * optional argument, a number, a union, an argument the tool does not declare) lets a call reach
 * the resource through another argument or none, past the scope check made on this one.
 */
export function resourceArgumentProblem(inputSchema: Record<string, unknown> | undefined, argument: string): string | null {
  const properties = inputSchema?.properties;
  const property =
    properties && typeof properties === "object" && Object.hasOwn(properties, argument) ? (properties as Record<string, unknown>)[argument] : undefined;
  if (!property || typeof property !== "object") return `the tool's input schema has no top-level argument ${JSON.stringify(argument)}`;
  if ((property as { type?: unknown }).type !== "string") return `the tool's argument ${JSON.stringify(argument)} is not of type string in its input schema`;
  const required = inputSchema?.required;
  if (!Array.isArray(required) || !required.includes(argument)) return `the tool's input schema does not require the argument ${JSON.stringify(argument)}`;
  return null;
}

/** Reads the tools column as saved (anything malformed is left out, not trusted). */
export function savedTools(value: unknown): UpstreamTool[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (t): t is UpstreamTool =>
      typeof t === "object" && t !== null && typeof (t as UpstreamTool).name === "string" && typeof (t as UpstreamTool).inputSchema === "object",
  );
}

/** Text PostgreSQL can store (text and jsonb refuse NUL, jsonb unpaired surrogates): written out. */
export function storable(text: string): string {
  return text.replace(
    /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Every string and key of a (depth-checked) JSON value made storable. */
function storableJson(value: unknown): unknown {
  if (typeof value === "string") return storable(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storableJson(v)]));
  return value;
}

const MAX_SCHEMA_DEPTH = 32;

/** Bounds what an upstream says about its tools before it is stored and shown. */
function boundTool(listed: UpstreamTool): UpstreamTool {
  if (exceedsDepth(listed, MAX_SCHEMA_DEPTH))
    throw new Error(`the tool ${JSON.stringify(storable(String(listed.name).slice(0, 100)))} has a schema nested more than ${MAX_SCHEMA_DEPTH} levels deep`);
  const tool = storableJson(listed) as UpstreamTool;
  // Made storable again after the cut, which may split a surrogate pair.
  const text = (value: unknown, max: number) => (typeof value === "string" ? storable(value.slice(0, max)) : undefined);
  const bounded: UpstreamTool = { name: tool.name, inputSchema: tool.inputSchema };
  const title = text(tool.title, 200);
  const description = text(tool.description, 4000);
  if (title) bounded.title = title;
  if (description) bounded.description = description;
  if (tool.outputSchema) bounded.outputSchema = tool.outputSchema;
  if (tool.annotations) bounded.annotations = tool.annotations;
  return bounded;
}

const MAX_TOOLS = 500;
const MAX_TOOLS_JSON_BYTES = 1024 * 1024;

/**
 * Stores the tools a server listed, and registers each new one as a Warden tool (unscoped,
 * unlimited, low risk, no default confidence: a call without a stated confidence then waits for a
 * human until an admin says otherwise). A tool is usable only once granted to an agent.
 *
 * Several processes discover the same tools: the tools column is written without touching
 * updated_at (the configuration's version, which would make every process reconnect), and a
 * tool row is created, and audited, by whichever process inserts it first.
 */
export async function recordDiscoveredTools(db: DbOrTx, server: string, listed: UpstreamTool[]): Promise<UpstreamTool[]> {
  const tools = listed.slice(0, MAX_TOOLS).map(boundTool);
  const json = JSON.stringify(tools);
  if (Buffer.byteLength(json) > MAX_TOOLS_JSON_BYTES) throw new Error(`the server lists ${tools.length} tools in more than 1 MiB of schemas`);
  await inTransaction(db, async (tx) => {
    const updated = await tx.$executeRaw`UPDATE mcp_servers SET tools = ${json}::jsonb, discovered_at = now() WHERE name = ${server}`;
    if (updated === 0) return; // deleted meanwhile
    const offered = tools.map((t) => ({ tool: t, naming: wardenToolName(server, t.name) })).filter((t) => t.naming.skipped === null);
    if (offered.length === 0) return;
    const rows = offered.map(
      ({ tool, naming }) => Prisma.sql`(${naming.name}, ${storable((tool.description ?? tool.title ?? "").slice(0, 1000))}, '{}'::text[], ${server}, now())`,
    );
    const created = await tx.$queryRaw<{ name: string }[]>`
      INSERT INTO tools (name, description, scopes, mcp_server, updated_at) VALUES ${Prisma.join(rows)}
      ON CONFLICT (name) DO NOTHING RETURNING name`;
    for (const { name } of created) {
      await publish(tx, { type: "tool.changed", name });
      await appendAudit(tx, { actor: SYSTEM, verb: "tool.create", subject: { type: "tool", id: name }, data: { mcpServer: server, discovered: true } });
    }
  });
  // Every process's list of offered tools is read again (its connection sees the same version
  // and stays as it is).
  await publish(db, { type: "mcp_server.changed", name: server });
  return tools;
}
