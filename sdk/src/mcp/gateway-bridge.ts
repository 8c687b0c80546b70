import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { SDK_VERSION } from "../version";

/*
 * `warden-mcp --gateway`: Warden's MCP gateway (/api/mcp/gateway) for MCP clients that start
 * their servers as commands. It is a relay, not a second gateway: tools/list and tools/call go
 * to the Warden at `url` as the agent whose key it holds, and the guardrail, the approvals and
 * the upstream servers all stay on Warden's side. Progress notifications come back through it
 * (a call waiting for a human keeps the client's timeout alive), and a call the client cancels
 * is cancelled on the way to Warden.
 */

/** Longer than the gateway's 50 s wait for a human, so the gateway's answer arrives first. */
const CALL_TIMEOUT_MS = 60_000;

export async function startGatewayBridge(options: { url: string; key: string; local: Transport }): Promise<{ close: () => Promise<void> }> {
  const gateway = new Client({ name: "warden-mcp-gateway-bridge", version: SDK_VERSION });
  await gateway.connect(new StreamableHTTPClientTransport(new URL("/api/mcp/gateway", options.url), { requestInit: { headers: { Authorization: `Bearer ${options.key}` } } }));
  const server = new Server(
    { name: "warden-gateway", title: "Warden MCP gateway", version: SDK_VERSION },
    { capabilities: { tools: {} }, ...(gateway.getInstructions() ? { instructions: gateway.getInstructions() } : {}) },
  );
  server.setRequestHandler(ListToolsRequestSchema, (request) => gateway.listTools(request.params));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { progressToken, ...meta } = request.params._meta ?? {};
    return gateway.callTool({ name: request.params.name, arguments: request.params.arguments, ...(Object.keys(meta).length > 0 ? { _meta: meta } : {}) }, undefined, {
      signal: extra.signal,
      timeout: CALL_TIMEOUT_MS,
      resetTimeoutOnProgress: true,
      ...(progressToken !== undefined
        ? { onprogress: (progress) => void extra.sendNotification({ method: "notifications/progress", params: { ...progress, progressToken } }).catch(() => undefined) }
        : {}),
    });
  });
  await server.connect(options.local);
  return { close: async () => void (await Promise.all([server.close(), gateway.close()])) };
}
