import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { createWardenMcpServer } from "../../sdk/src/mcp/warden-mcp-server";
import { Warden } from "../../sdk/src/warden";
import { authenticateBearer, bearerFromHeaders } from "../auth/authenticate-bearer";
import { db } from "../db/client";
import { env } from "../env";
import { AppError } from "../errors";
import { apiDispatcher } from "../http/api-routes";
import { errorAnswer } from "../http/dispatcher";
import { answerToResponse, inProcessFetch } from "../http/web-adapter";

function refuse(error: AppError, headers: Record<string, string> = {}): Response {
  const answer = errorAnswer(error);
  return answerToResponse({ ...answer, headers: { ...answer.headers, ...headers } });
}

/**
 * /api/mcp: Warden's MCP server over streamable HTTP, acting as the agent whose key comes as
 * `Authorization: Bearer wdn_agent_…`. Anything else is refused before any MCP is read (401
 * without a valid key, 403 for a personal token).
 *
 * Design: the tools are the SDK's (`createWardenMcpServer`, the same definition the stdio
 * command serves), given a fetch that calls the /api/v1 route handlers in this process
 * (`inProcessFetch` over the API's dispatcher), rather than tools of their own calling the services. Each tool call then
 * goes through exactly the frame of the REST API (key check, zod validation naming the field,
 * error shape, Idempotency-Key, the recall bookkeeping some routes add), so the two transports
 * and /api/v1 cannot drift apart, and no second copy of that glue exists. What it costs: one
 * key lookup per tool call, as any API request pays, and no network hop.
 *
 * Stateless (no MCP session, JSON answers): each request gets its own server and transport, so
 * any instance behind a load balancer answers any request, and a GET (the optional
 * server-to-client stream) is answered 405 as the protocol allows.
 */
export async function handleMcpRequest(request: Request): Promise<Response> {
  const secret = bearerFromHeaders(request.headers);
  const principal = secret ? await authenticateBearer(db, secret) : null;
  if (!principal) {
    const message = secret ? "Authorization: the key is unknown or revoked" : "Authorization: send `Bearer <agent key>`";
    return refuse(new AppError("UNAUTHORIZED", message), { "www-authenticate": 'Bearer realm="warden"' });
  }
  if (principal.kind !== "agent") return refuse(new AppError("FORBIDDEN", "/api/mcp acts as an agent: use an agent key (wdn_agent_…), not a personal token"));
  if (request.method !== "POST") {
    const error = { code: "method_not_allowed", message: "/api/mcp is stateless: send JSON-RPC messages with POST" };
    return Response.json({ error }, { status: 405, headers: { allow: "POST" } });
  }

  const warden = new Warden({ url: new URL(request.url).origin, key: secret!, fetch: inProcessFetch(apiDispatcher()), retries: 0 });
  const server = createWardenMcpServer(warden);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
    maxRequestBodySize: env.WARDEN_MAX_BODY_BYTES,
  });
  await server.connect(transport);
  try {
    // With JSON answers the response is complete when this resolves, so the server can go.
    return await transport.handleRequest(request);
  } finally {
    await server.close();
  }
}
