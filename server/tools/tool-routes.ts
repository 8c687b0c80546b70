import { z } from "zod";
import { defineRoute } from "../http/api-route";
import { ZPutToolRequest, ZTool, ZToolName } from "../schemas/tools";
import { listTools, putTool } from "./tool-registry";

export const putToolRoute = defineRoute({
  method: "PUT",
  path: "/api/v1/tools/{name}",
  operationId: "putTool",
  summary: "Create or replace a tool: resource scopes, rate limit, confirmation, reversibility, risk",
  tag: "Provisioning",
  auth: { user: "admin" },
  params: z.object({ name: ZToolName }),
  body: ZPutToolRequest,
  response: z.object({ tool: ZTool }),
  idempotent: true,
  handler: async ({ db, principal, params, body, origin }) => ({ tool: await putTool(db, principal.actor, params.name, body, origin) }),
});

export const listToolsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/tools",
  operationId: "listTools",
  summary: "Every registered tool",
  tag: "Provisioning",
  auth: { agent: true, user: "viewer" },
  response: z.object({ tools: z.array(ZTool) }),
  handler: async ({ db }) => ({ tools: await listTools(db) }),
});
