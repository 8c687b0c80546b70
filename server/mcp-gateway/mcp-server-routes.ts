import { z } from "zod";
import { defineRoute } from "../http/api-route";
import { ZMcpServer, ZMcpServerName, ZPutMcpServerRequest } from "../schemas/mcp-servers";
import { deleteMcpServer, putMcpServer } from "./mcp-server-registry";
import { getMcpServer, listMcpServers } from "./mcp-server-view";

export const putMcpServerRoute = defineRoute({
  method: "PUT",
  path: "/api/v1/mcp-servers/{name}",
  operationId: "putMcpServer",
  summary: "Create or replace an upstream MCP server the gateway proxies (secrets in env and headers are sealed and never shown again)",
  tag: "Provisioning",
  auth: { user: "admin" },
  params: z.object({ name: ZMcpServerName }),
  body: ZPutMcpServerRequest,
  response: z.object({ server: ZMcpServer }),
  idempotent: true,
  handler: async ({ db, principal, params, body, origin }) => {
    await putMcpServer(db, principal.actor, params.name, body, origin);
    return { server: await getMcpServer(db, params.name) };
  },
});

export const listMcpServersRoute = defineRoute({
  method: "GET",
  path: "/api/v1/mcp-servers",
  operationId: "listMcpServers",
  summary: "Every upstream MCP server, with its tools and its health as this instance sees it",
  tag: "Provisioning",
  auth: { user: "admin" },
  response: z.object({ servers: z.array(ZMcpServer) }),
  handler: async ({ db }) => ({ servers: await listMcpServers(db) }),
});

export const deleteMcpServerRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/mcp-servers/{name}",
  operationId: "deleteMcpServer",
  summary: "Remove an upstream MCP server: its connections close and its tools leave the gateway",
  tag: "Provisioning",
  auth: { user: "admin" },
  params: z.object({ name: ZMcpServerName }),
  response: z.object({ deleted: z.string() }),
  handler: async ({ db, principal, params, origin }) => {
    await deleteMcpServer(db, principal.actor, params.name, origin);
    return { deleted: params.name };
  },
});
