import { actionResultRoute, getActionRoute, proposeActionRoute, waitActionRoute } from "../actions/action-routes";
import { createAgentRoute, issueAgentKeyRoute, listAgentsRoute, revokeAgentKeyRoute } from "../agents/agent-routes";
import { approveRoute, listApprovalsRoute, rejectRoute } from "../approvals/approval-routes";
import { meRoute } from "../auth/me-route";
import { COST_ROUTES } from "../cost/cost-routes";
import { ackRoute, apiControlRoutes, heartbeatRoute, killTokenRoute, rollbackResultRoute, rootControlRoutes, streamRoute } from "../control/control-routes";
import { recallRoute, recordMemoryRoute } from "../memory/memory-routes";
import { getPolicyRoute, putPolicyRoute } from "../policy/policy-routes";
import { recordScoreRoute } from "../quality/score-routes";
import { claimTaskRoute, completeTaskRoute, createTaskRoute, failTaskRoute, getTaskRoute, taskHeartbeatRoute } from "../tasks/task-routes";
import { listToolsRoute, putToolRoute } from "../tools/tool-routes";
import type { ApiRoute } from "./api-route";

/** Every /api/v1 route, for the OpenAPI document. A route missing here is missing from the docs. */
export const API_ROUTES: ApiRoute[] = [
  meRoute,
  proposeActionRoute,
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
  getPolicyRoute,
  putPolicyRoute,
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
