import { z } from "zod";
import { defineRoute } from "../http/api-route";
import { ZAgent, ZAgentKey, ZCreateAgentRequest, ZIssueAgentKeyRequest } from "../schemas/agents";
import { ZUuid } from "../schemas/common";
import { issueAgentKey, revokeAgentKey } from "./agent-keys";
import { listAgents } from "./list-agents";
import { registerAgent } from "./register-agent";

const ZIdParams = z.object({ id: ZUuid });

export const createAgentRoute = defineRoute({
  method: "POST",
  path: "/api/v1/agents",
  operationId: "createAgent",
  summary: "Register an agent; its first key is in the answer, shown this once",
  tag: "Provisioning",
  auth: { user: "admin" },
  body: ZCreateAgentRequest,
  response: z.object({ agent: ZAgent, key: z.object({ id: z.string(), secret: z.string(), prefix: z.string() }) }),
  successStatus: 201,
  idempotent: true,
  handler: ({ db, principal, body, origin }) => registerAgent(db, principal.actor, body, origin),
});

export const listAgentsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/agents",
  operationId: "listAgents",
  summary: "Every registered agent",
  tag: "Provisioning",
  auth: { user: "viewer" },
  response: z.object({ agents: z.array(ZAgent) }),
  handler: async ({ db }) => ({ agents: await listAgents(db) }),
});

export const issueAgentKeyRoute = defineRoute({
  method: "POST",
  path: "/api/v1/agents/{id}/keys",
  operationId: "issueAgentKey",
  summary: "Issue another key for an agent (rotation); the secret is shown this once",
  tag: "Provisioning",
  auth: { user: "admin" },
  params: ZIdParams,
  body: ZIssueAgentKeyRequest,
  response: z.object({ key: ZAgentKey, secret: z.string() }),
  successStatus: 201,
  idempotent: true,
  handler: ({ db, principal, params, body, origin }) => issueAgentKey(db, principal.actor, params.id, body.name, origin),
});

export const revokeAgentKeyRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/keys/{id}",
  operationId: "revokeAgentKey",
  summary: "Revoke an agent key; it stops working on the next request",
  tag: "Provisioning",
  auth: { user: "admin" },
  params: ZIdParams,
  response: z.object({ key: ZAgentKey }),
  handler: async ({ db, principal, params, origin }) => ({ key: await revokeAgentKey(db, principal.actor, params.id, origin) }),
});
