import { z } from "zod";

/*
 * Upstream MCP servers the gateway proxies (PUT /api/v1/mcp-servers/:name). The server's name
 * is the first half of each of its tools' Warden names (`<server>.<tool>`), so it has no dot,
 * and is short enough to leave room for the tool's name inside a tool name's 64 characters.
 */
export const ZMcpServerName = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(32, "must be at most 32 characters")
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "use lower-case letters, digits, dash or underscore (no dot: tools are named <server>.<tool>)")
  // Agents see `<server>__<tool>` (upstream-tools.ts): a `__` inside the server's name, or an `_`
  // at its end, would make two servers' tools confusable (`a__b` + `c` and `a` + `b__c`).
  .refine((name) => !name.includes("__") && !name.endsWith("_"), "must not contain `__` or end with `_` (agents see tools as <server>__<tool>)");

/** Text that goes to a process or a header: no NUL or other control characters. */
const noControl = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters (NUL, newline, …)");

const ZEnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "an environment variable name: letters, digits and underscore, not starting with a digit");
const ZHeaderName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, "a header name: letters, digits and - _ . (no spaces or colons)")
  .refine(
    (name) => !["host", "content-length", "transfer-encoding", "connection", "mcp-session-id", "mcp-protocol-version"].includes(name.toLowerCase()),
    "this header is set by the MCP transport",
  );

/**
 * A secret's value, or null for "keep the value saved before" (the console shows saved secrets
 * only as `set`, so an edit that does not retype one sends null).
 */
const ZSecretValue = noControl(4000).nullable();

export const MCP_TRANSPORTS = ["stdio", "http"] as const;

export const ZPutMcpServerRequest = z
  .strictObject({
    transport: z.enum(MCP_TRANSPORTS, "must be stdio or http"),
    /** stdio: the command Warden starts (and restarts) as a child process. */
    command: noControl(500).trim().min(1, "must not be empty").optional(),
    args: z.array(noControl(2000)).max(50, "at most 50 arguments").optional(),
    env: z
      .record(ZEnvName, ZSecretValue)
      .refine((env) => Object.keys(env).length <= 50, "at most 50 variables")
      .optional(),
    /** http: the streamable HTTP endpoint. */
    url: z
      .url({ protocol: /^https?$/, message: "must be an http:// or https:// address" })
      .max(2000, "must be at most 2000 characters")
      .optional(),
    headers: z
      .record(ZHeaderName, ZSecretValue)
      .refine((headers) => Object.keys(headers).length <= 50, "at most 50 headers")
      .optional(),
    enabled: z.boolean().optional(),
    /** How long one upstream tools/call may run before Warden cancels it (seconds). */
    callTimeoutSeconds: z.number().int("must be whole seconds").min(1, "must be at least 1").max(600, "must be at most 600").optional(),
  })
  .superRefine((input, context) => {
    const wrong = (path: string, message: string) => context.addIssue({ code: "custom", path: [path], message });
    if (input.transport === "stdio") {
      if (!input.command) wrong("command", "a stdio server needs the command to start");
      if (input.url !== undefined) wrong("url", "only for transport http");
      if (input.headers !== undefined) wrong("headers", "only for transport http");
    } else {
      if (!input.url) wrong("url", "an http server needs its address");
      if (input.command !== undefined) wrong("command", "only for transport stdio");
      if (input.args !== undefined) wrong("args", "only for transport stdio");
      if (input.env !== undefined) wrong("env", "only for transport stdio");
    }
  })
  .meta({ id: "PutMcpServerRequest" });
export type PutMcpServerRequest = z.input<typeof ZPutMcpServerRequest>;

export const MCP_HEALTH_STATES = ["disabled", "connecting", "ready", "failed"] as const;

export const ZMcpServerHealth = z.object({
  /** As this Warden process sees it (each process runs its own connection). */
  state: z.enum(MCP_HEALTH_STATES),
  error: z.string().nullable(),
  restarts: z.number().int(),
  since: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  /**
   * The last failure, kept after the server is back: its reason with the last lines a stdio
   * child printed to stderr (for admins only; agents are told the reason and the exit code).
   */
  lastFailure: z.object({ at: z.string(), error: z.string() }).nullable(),
});

export const ZMcpServerTool = z.object({
  /** The Warden tool name, `<server>.<tool>`: what agents are granted and call. */
  name: z.string(),
  upstreamName: z.string(),
  description: z.string(),
  /** Why the tool is not offered (its name does not make a Warden tool name), or null. */
  skipped: z.string().nullable(),
});

export const ZMcpServer = z
  .object({
    name: z.string(),
    transport: z.enum(MCP_TRANSPORTS),
    command: z.string().nullable(),
    args: z.array(z.string()),
    url: z.string().nullable(),
    /** Variable and header names with `set`: the values are never shown again. */
    env: z.record(z.string(), z.literal("set")),
    headers: z.record(z.string(), z.literal("set")),
    enabled: z.boolean(),
    callTimeoutSeconds: z.number().int(),
    tools: z.array(ZMcpServerTool),
    discoveredAt: z.string().nullable(),
    health: ZMcpServerHealth,
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .meta({ id: "McpServer" });
export type McpServerView = z.infer<typeof ZMcpServer>;
