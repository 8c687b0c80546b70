import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { authenticateBearer, bearerFromHeaders } from "../auth/authenticate-bearer";
import { db } from "../db/client";
import { env } from "../env";
import { AppError } from "../errors";
import { errorAnswer } from "../http/dispatcher";
import { answerToResponse } from "../http/web-adapter";
import { clientIp } from "../lib/client-ip";
import { callThroughGateway, MAX_WAIT_SECONDS } from "./gateway-call";
import { toolsGrantedTo } from "./offered-tools";

function refuse(error: AppError, headers: Record<string, string> = {}): Response {
  const answer = errorAnswer(error);
  return answerToResponse({ ...answer, headers: { ...answer.headers, ...headers } });
}

/**
 * One JSON-schema validator for every request's server (which uses it only to check elicitation
 * answers, which the gateway never asks for): made per server, it cost about 0.5 ms per call
 * (a new Ajv instance with its keywords and formats).
 */
const jsonSchemaValidator = new AjvJsonSchemaValidator();

const INSTRUCTIONS = [
  "These tools run through Warden, which decides each call: it runs, runs with a notification, waits for a human, or is refused with the reason.",
  `A call that needs a human waits up to ${MAX_WAIT_SECONDS} s with progress notifications; if nobody decided by then, call the tool again with the same arguments to keep waiting.`,
  "Send your honest confidence (0 to 1) as _meta.confidence on tools/call: it can lower the tool's default confidence, never raise it.",
].join(" ");

/**
 * /api/mcp/gateway: the MCP gateway, over streamable HTTP, acting as the agent whose key comes
 * as `Authorization: Bearer wdn_agent_…`. tools/list answers the upstream tools granted to that
 * agent, with the upstream schemas; tools/call goes through the guardrail (gateway-call.ts).
 *
 * Stateless like /api/mcp (any instance answers any request), but each POST is answered as an
 * event stream rather than one JSON body, so a call waiting for a human sends progress
 * notifications on the way. The server lives until its answer is written; when the client goes
 * away first, closing the server aborts the call's signal, which cancels it upstream.
 */
export async function handleGatewayRequest(request: Request): Promise<Response> {
  const secret = bearerFromHeaders(request.headers);
  const principal = secret ? await authenticateBearer(db, secret) : null;
  if (!principal) {
    const message = secret ? "Authorization: the key is unknown or revoked" : "Authorization: send `Bearer <agent key>`";
    return refuse(new AppError("UNAUTHORIZED", message), { "www-authenticate": 'Bearer realm="warden"' });
  }
  if (principal.kind !== "agent")
    return refuse(new AppError("FORBIDDEN", "/api/mcp/gateway acts as an agent: use an agent key (wdn_agent_…), not a personal token"));
  if (request.method !== "POST") {
    const error = { code: "method_not_allowed", message: "/api/mcp/gateway is stateless: send JSON-RPC messages with POST" };
    return Response.json({ error }, { status: 405, headers: { allow: "POST" } });
  }
  const { agent, control } = principal;
  const origin = { ip: clientIp(request.headers) };

  const server = new Server(
    { name: "warden-gateway", title: "Warden MCP gateway", version: "1.0.0" },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS, jsonSchemaValidator },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: (await toolsGrantedTo(db, agent)).map(({ name, agentName, upstream }): Tool => ({
      name: agentName,
      // The Warden name, as the inbox and the audit log show it.
      title: upstream.title ? `${upstream.title} (${name})` : name,
      ...(upstream.description ? { description: upstream.description } : {}),
      inputSchema: upstream.inputSchema as Tool["inputSchema"],
      ...(upstream.outputSchema ? { outputSchema: upstream.outputSchema as Tool["outputSchema"] } : {}),
      ...(upstream.annotations ? { annotations: upstream.annotations as Tool["annotations"] } : {}),
    })),
  }));
  // Writes that finish after the answer (gateway-call.ts): the response ends once they do.
  const afterAnswer: Promise<unknown>[] = [];
  server.setRequestHandler(CallToolRequestSchema, async (call, extra) => {
    const token = call.params._meta?.progressToken;
    return callThroughGateway(db, { agent, control, origin }, call.params.name, call.params.arguments, {
      signal: extra.signal,
      meta: call.params._meta as Record<string, unknown> | undefined,
      afterAnswer: (work) => void afterAnswer.push(work.catch((error: unknown) => console.error("[mcp-gateway] recording a result failed", error))),
      progress:
        token === undefined
          ? undefined
          : (progress, total, message) =>
              extra.sendNotification({
                method: "notifications/progress",
                params: { progressToken: token, progress, ...(total !== undefined ? { total } : {}), message },
              }),
    });
  });

  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, maxRequestBodySize: env.WARDEN_MAX_BODY_BYTES });
  await server.connect(transport);
  const close = () => void server.close().catch(() => undefined);
  request.signal.addEventListener("abort", close, { once: true });
  const response = await transport.handleRequest(request);
  if (!response.body) {
    await Promise.all(afterAnswer);
    close();
    return response;
  }
  // The answer passes through as it is written; the response ends, and the server closes, once
  // the writes that follow the answer are done (a shutdown waits for them like any request).
  const done = new TransformStream<Uint8Array, Uint8Array>({
    flush: async () => {
      await Promise.all(afterAnswer);
      close();
    },
  });
  return new Response(response.body.pipeThrough(done), { status: response.status, statusText: response.statusText, headers: response.headers });
}
