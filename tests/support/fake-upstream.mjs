// A small upstream MCP server over stdio for the gateway's tests, with tools the reference servers
// lack: `crash` prints a secret to stderr and exits with code 3 (the tail must reach admins only),
// `churn` sends tools/list_changed `times` times in a row (Warden lists the tools again once).
// With FAKE_UPSTREAM_CRASHED_FILE set, a crash leaves that file behind and every later start fails
// the same way, so the server stays down.
import { existsSync, writeFileSync } from "node:fs";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const crashedFile = process.env.FAKE_UPSTREAM_CRASHED_FILE;
const crash = () => process.stderr.write(`fatal: could not authenticate with token ${process.env.FAKE_UPSTREAM_SECRET ?? "none"}\n`, () => process.exit(3));
if (crashedFile && existsSync(crashedFile)) {
  crash();
  await new Promise(() => undefined);
}

const server = new Server({ name: "fake-upstream", version: "1.0.0" }, { capabilities: { tools: { listChanged: true } } });
const object = (properties, required = []) => ({ type: "object", properties, required });

server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    { name: "echo", description: "Echoes its message", inputSchema: object({ message: { type: "string" } }, ["message"]) },
    { name: "crash", description: "Prints a secret to stderr and exits with code 3", inputSchema: object({}) },
    { name: "churn", description: "Sends tools/list_changed `times` times", inputSchema: object({ times: { type: "number" } }) },
  ],
}));

server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const args = request.params.arguments ?? {};
  if (request.params.name === "echo") return { content: [{ type: "text", text: `echo: ${args.message}` }] };
  if (request.params.name === "crash") {
    if (crashedFile) writeFileSync(crashedFile, "crashed");
    crash();
    return new Promise(() => undefined);
  }
  if (request.params.name === "churn") {
    for (let i = 0; i < Number(args.times ?? 1); i++) await server.sendToolListChanged();
    return { content: [{ type: "text", text: "churned" }] };
  }
  return { isError: true, content: [{ type: "text", text: `no tool ${request.params.name}` }] };
});

await server.connect(new StdioServerTransport());
