import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { db } from "../../server/db/client";
import { startEventBus } from "../../server/events/bus";
import { handleGatewayRequest } from "../../server/mcp-gateway/gateway-endpoint";
import { startUpstreams } from "../../server/mcp-gateway/upstream-supervisor";
import { toWebRequest, writeWebResponse } from "../../server/http/web-bridge";

/*
 * A second Warden process for the MCP gateway's two-instance test: the gateway, its own upstream
 * connections and the event bus, on the test's database (DATABASE_URL and AUTH_SECRET from the
 * environment, so it opens the same sealed secrets). Prints `{"port": N}` once it serves.
 */
await startEventBus();
await startUpstreams(db);
const server = createServer((request, response) => {
  handleGatewayRequest(toWebRequest(request, response))
    .then((answer) => writeWebResponse(response, answer))
    .catch((error: unknown) => response.writeHead(500).end(String(error)));
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
process.on("SIGTERM", () => process.exit(0));
