#!/usr/bin/env node
/**
 * `warden-mcp`: Warden's MCP server over stdio, for MCP clients that start their servers as
 * commands. It acts as the agent whose key is in WARDEN_KEY, on the Warden at WARDEN_URL.
 * `warden-mcp --gateway` relays Warden's MCP gateway instead (the upstream tools granted to the
 * agent, each call guarded; gateway-bridge.ts). stdout carries the protocol, so everything else
 * goes to stderr.
 */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { WardenInputError } from "../errors";
import { Warden } from "../warden";
import { startGatewayBridge } from "./gateway-bridge";
import { createWardenMcpServer } from "./warden-mcp-server";

async function main(): Promise<void> {
  let warden: Warden;
  try {
    warden = new Warden({
      url: process.env.WARDEN_URL ?? "http://localhost:11480",
      key: process.env.WARDEN_KEY ?? "",
      onError: (error) => console.error(`warden-mcp: ${error instanceof Error ? error.message : String(error)}`),
    });
  } catch (error) {
    if (!(error instanceof WardenInputError)) throw error;
    const hints = error.problems.map((p) => `  ${p.field === "key" ? "WARDEN_KEY" : p.field === "url" ? "WARDEN_URL" : p.field}: ${p.message}`);
    console.error(`warden-mcp: set WARDEN_URL (default http://localhost:11480) and WARDEN_KEY (the agent's key, wdn_agent_…)\n${hints.join("\n")}`);
    process.exit(2);
  }
  if (process.argv.includes("--gateway")) {
    const bridge = await startGatewayBridge({
      url: process.env.WARDEN_URL ?? "http://localhost:11480",
      key: process.env.WARDEN_KEY ?? "",
      local: new StdioServerTransport(),
    });
    const stopBridge = () => void bridge.close().finally(() => process.exit(0));
    process.on("SIGINT", stopBridge);
    process.on("SIGTERM", stopBridge);
    return;
  }
  const server = createWardenMcpServer(warden);
  await server.connect(new StdioServerTransport());
  // Follow this agent's control state, so a suspend or a kill stops what its tools are doing.
  await warden
    .connect()
    .catch((error: unknown) => console.error(`warden-mcp: cannot follow the control state: ${error instanceof Error ? error.message : String(error)}`));
  const stop = () => void Promise.all([server.close(), warden.close()]).finally(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(`warden-mcp: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
