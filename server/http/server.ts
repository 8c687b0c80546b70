import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import next from "next";
import { startBackgroundWork } from "../background";
import { beginShutdown, stopWhenOrphaned } from "../lifecycle/shutdown";
import { handleGatewayRequest } from "../mcp-gateway/gateway-endpoint";
import { handleMcpRequest } from "../mcp/mcp-endpoint";
import { apiDispatcher } from "./api-routes";
import { handleNodeRequest } from "./node-adapter";
import { markPeer } from "./peer-address";
import { toWebRequest, writeWebResponse } from "./web-bridge";

/** Paths served by a fetch-style handler of Warden's own, outside the route specs. */
const WEB_HANDLERS: Record<string, (request: Request) => Promise<Response>> = { "/api/mcp": handleMcpRequest, "/api/mcp/gateway": handleGatewayRequest };

/**
 * Warden's one HTTP server: the agent API (/api/v1/**, /api/health, the root control paths)
 * goes straight to the dispatcher over the route specs, and everything else (the console's
 * pages, tRPC, next-auth, the console's event stream) to Next.js, on the same port. The agent
 * API is the hot path, and Next's route layer cost about 0.75 ms of CPU per request before any
 * Warden code ran (docs/benchmarks.md).
 */
export async function startServer(options: { port: number; host: string; dir: string }): Promise<Server> {
  const app = next({ dev: false, dir: options.dir, hostname: options.host, port: options.port });
  await app.prepare();
  const nextHandler = app.getRequestHandler();
  const dispatcher = apiDispatcher();

  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    // First: the peer as the socket tells it, and forwarding headers only from trusted proxies,
    // for the API and for Next alike.
    markPeer(request.headers, request.socket.remoteAddress);
    const url = request.url ?? "/";
    const queryAt = url.indexOf("?");
    const pathname = queryAt === -1 ? url : url.slice(0, queryAt);
    if (dispatcher.serves(pathname)) return handleNodeRequest(dispatcher, request, response, pathname, queryAt === -1 ? "" : url.slice(queryAt));
    const webHandler = WEB_HANDLERS[pathname];
    if (webHandler) return writeWebResponse(response, await webHandler(toWebRequest(request, response)));
    return nextHandler(request, response);
  };

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      console.error("[server] request failed", error);
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { code: "internal", message: "Internal error: the server log has the details" } }));
    });
  });
  // Agents keep connections open between calls; node's 5 s default would close them mid-fleet.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}

/**
 * The server process: serves, runs the background work, and on SIGTERM or SIGINT ends every
 * event stream and long-poll at once (they would hold the shutdown open), then stops accepting
 * and exits when the last request is answered.
 */
export async function runServer(options: { port: number; host: string; dir: string }): Promise<void> {
  const server = await startServer(options);
  startBackgroundWork();
  stopWhenOrphaned();
  const stop = () => {
    beginShutdown();
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    // A request that does not end on the shutdown signal does not hold the process.
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
