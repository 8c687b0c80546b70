import { actionResultRoute, findActionsRoute, getActionRoute, proposeActionRoute, waitActionRoute } from "../actions/action-routes";
import { createAgentRoute, issueAgentKeyRoute, listAgentsRoute, revokeAgentKeyRoute } from "../agents/agent-routes";
import { approveRoute, listApprovalsRoute, rejectRoute } from "../approvals/approval-routes";
import { meRoute } from "../auth/me-route";
import { COST_ROUTES } from "../cost/cost-routes";
import { ackRoute, apiControlRoutes, heartbeatRoute, killTokenRoute, rollbackResultRoute, rootControlRoutes, streamRoute } from "../control/control-routes";
import { recallRoute, recordMemoryRoute } from "../memory/memory-routes";
import { getPolicyRoute, listGrantsRoute, putPolicyRoute, revokeGrantRoute } from "../policy/policy-routes";
import { recordScoreRoute } from "../quality/score-routes";
import { claimTaskRoute, completeTaskRoute, createTaskRoute, failTaskRoute, getTaskRoute, taskHeartbeatRoute } from "../tasks/task-routes";
import { listToolsRoute, putToolRoute } from "../tools/tool-routes";
import { deleteMcpServerRoute, listMcpServersRoute, putMcpServerRoute } from "../mcp-gateway/mcp-server-routes";
import { z } from "zod";
import { db } from "../db/client";
import { sqlRows } from "../db/direct-sql";
import { Prisma } from "../db/generated/client";
import { env } from "../env";
import { defineRoute, Reply, type ApiRoute } from "./api-route";
import { createDispatcher, type Dispatcher } from "./dispatcher";
import { buildOpenApiDocument } from "./openapi";
import { serverOrigin } from "./server-origin";

const ZHealth = z.object({ ok: z.boolean(), database: z.enum(["up", "down"]), pid: z.number().int() });

/**
 * For load balancers and the launcher: 200 when this instance can reach its database. `pid`
 * lets the launcher tell its own server from another program answering on the same port.
 */
export const healthRoute = defineRoute({
  method: "GET",
  path: "/api/health",
  operationId: "health",
  answers: { 503: "The database cannot be reached" },
  summary: "Whether this instance serves and reaches its database",
  tag: "Operations",
  auth: "public",
  response: ZHealth,
  handler: async () => {
    try {
      await sqlRows(db, Prisma.sql`SELECT 1`);
      return { ok: true, database: "up" as const, pid: process.pid };
    } catch {
      return new Reply(503, { ok: false, database: "down" as const, pid: process.pid });
    }
  },
});

export const openApiRoute = defineRoute({
  method: "GET",
  path: "/api/v1/openapi.json",
  operationId: "openApi",
  summary: "This document",
  tag: "Operations",
  auth: "public",
  response: z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }),
  handler: async ({ headers }) => buildOpenApiDocument(API_ROUTES, env.WARDEN_PUBLIC_URL ?? serverOrigin(headers)),
});

/**
 * Every route of the agent API, and the only list: the server dispatches exactly these, the
 * OpenAPI document describes exactly these, and /api/mcp reaches exactly these. A route that is
 * declared but not listed here is not served (tests/integration/api-routes.test.ts finds it).
 */
export const API_ROUTES: ApiRoute[] = [
  healthRoute,
  openApiRoute,
  meRoute,
  proposeActionRoute,
  findActionsRoute,
  getActionRoute,
  waitActionRoute,
  actionResultRoute,
  heartbeatRoute,
  streamRoute,
  ackRoute,
  rollbackResultRoute,
  recordMemoryRoute,
  recallRoute,
  recordScoreRoute,
  createTaskRoute,
  claimTaskRoute,
  getTaskRoute,
  taskHeartbeatRoute,
  completeTaskRoute,
  failTaskRoute,
  ...COST_ROUTES,
  listApprovalsRoute,
  approveRoute,
  rejectRoute,
  createAgentRoute,
  listAgentsRoute,
  issueAgentKeyRoute,
  revokeAgentKeyRoute,
  putToolRoute,
  listToolsRoute,
  putMcpServerRoute,
  listMcpServersRoute,
  deleteMcpServerRoute,
  getPolicyRoute,
  putPolicyRoute,
  listGrantsRoute,
  revokeGrantRoute,
  apiControlRoutes.pause,
  apiControlRoutes.suspend,
  apiControlRoutes.resume,
  killTokenRoute,
  apiControlRoutes.kill,
  rootControlRoutes.pause,
  rootControlRoutes.suspend,
  rootControlRoutes.resume,
  rootControlRoutes.kill,
];

let dispatcher: Dispatcher | null = null;

/** The dispatcher over API_ROUTES: the server's, the MCP endpoint's and the tests' one frame. */
export function apiDispatcher(): Dispatcher {
  return (dispatcher ??= createDispatcher(API_ROUTES));
}
