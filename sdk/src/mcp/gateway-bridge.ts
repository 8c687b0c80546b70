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
 * is cancelled at Warden and upstream: each call goes over a connection of its own, which the
 * cancellation closes. (The gateway is stateless, so MCP's notifications/cancelled, a request
 * of its own, would reach no call there; a closed request does.) The price is an initialize
 * handshake per call, on the same machine's link to Warden.
 */

/** Longer than the gateway's 50 s wait for a human, so the gateway's answer arrives first. */
const CALL_TIMEOUT_MS = 60_000;

async function connect(options: { url: string; key: string }): Promise<Client> {
  const client = new Client({ name: "warden-mcp-gateway-bridge", version: SDK_VERSION });
  await client.connect(
    new StreamableHTTPClientTransport(new URL("/api/mcp/gateway", options.url), { requestInit: { headers: { Authorization: `Bearer ${options.key}` } } }),
  );
  return client;
}

export async function startGatewayBridge(options: { url: string; key: string; local: Transport }): Promise<{ close: () => Promise<void> }> {
  // For tools/list and the instructions; each call opens its own (see above).
  const gateway = await connect(options);
  const server = new Server(
    { name: "warden-gateway", title: "Warden MCP gateway", version: SDK_VERSION },
    { capabilities: { tools: {} }, ...(gateway.getInstructions() ? { instructions: gateway.getInstructions() } : {}) },
  );
  server.setRequestHandler(ListToolsRequestSchema, (request) => gateway.listTools(request.params));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { progressToken, ...meta } = request.params._meta ?? {};
    const call = await connect(options);
    const cancel = () => void call.close().catch(() => undefined);
    extra.signal.addEventListener("abort", cancel, { once: true });
    try {
      return await call.callTool(
        { name: request.params.name, arguments: request.params.arguments, ...(Object.keys(meta).length > 0 ? { _meta: meta } : {}) },
        undefined,
        {
          signal: extra.signal,
          timeout: CALL_TIMEOUT_MS,
          resetTimeoutOnProgress: true,
          ...(progressToken !== undefined
            ? {
                onprogress: (progress) =>
                  void extra.sendNotification({ method: "notifications/progress", params: { ...progress, progressToken } }).catch(() => undefined),
              }
            : {}),
        },
      );
    } finally {
      extra.signal.removeEventListener("abort", cancel);
      cancel();
    }
  });
  await server.connect(options.local);
  return { close: async () => void (await Promise.all([server.close(), gateway.close()])) };
}
