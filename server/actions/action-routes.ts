import { z } from "zod";
import { defineRoute, Reply } from "../http/api-route";
import { agentPrincipal } from "../auth/authenticate-bearer";
import { ZUuid } from "../schemas/common";
import {
  ZActionResultRequest,
  ZActionView,
  ZFindActionsQuery,
  ZFoundActions,
  ZProposeActionRequest,
  ZProposeActionResponse,
  ZWaitQuery,
} from "../schemas/actions";
import { findActionsByExternalId, loadActionView } from "./action-view";
import { proposeAction, proposedStatus } from "./propose-action";
import { reportActionResult } from "./report-result";
import { waitForDecision } from "./wait-for-decision";

const ZIdParams = z.object({ id: ZUuid });

export const proposeActionRoute = defineRoute({
  method: "POST",
  path: "/api/v1/actions",
  operationId: "proposeAction",
  answers: {
    200: "The same request is already waiting for a human, or the same externalId was proposed before: that action as it is now (repeated: true)",
    429: "Too many proposals from this agent (the answer is a denial with retryAfterSeconds; see Retry-After)",
  },
  summary: "Ask before acting: the guardrail's decision, its reasons and the memories it recalled",
  tag: "Agents",
  auth: { agent: true },
  body: ZProposeActionRequest,
  response: ZProposeActionResponse,
  successStatus: 201,
  idempotent: "in-statement",
  handler: async ({ db, principal, body, origin, idempotency }) => {
    const answer = await proposeAction(db, agentPrincipal(principal), body, origin, { remember: idempotency?.remember });
    return new Reply(proposedStatus(answer), answer, answer.retryAfterSeconds !== undefined ? { "retry-after": String(answer.retryAfterSeconds) } : {});
  },
});

export const findActionsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/actions",
  operationId: "findActions",
  summary: "Find actions by the framework's tool-call id (externalId): an agent sees its own; a person, every agent's",
  tag: "Agents",
  auth: { agent: true, user: "viewer" },
  query: ZFindActionsQuery,
  response: ZFoundActions,
  handler: async ({ db, principal, query }) => ({
    items: await findActionsByExternalId(db, query.externalId, principal.kind === "agent" ? { agentId: principal.actor.id } : {}),
  }),
});

export const getActionRoute = defineRoute({
  method: "GET",
  path: "/api/v1/actions/{id}",
  operationId: "getAction",
  summary: "An action's status, decision, approved args and who decided",
  tag: "Agents",
  auth: { agent: true, user: "viewer" },
  params: ZIdParams,
  response: ZActionView,
  handler: ({ db, principal, params }) => loadActionView(db, params.id, principal.kind === "agent" ? { agentId: principal.actor.id } : {}),
});

export const waitActionRoute = defineRoute({
  method: "GET",
  path: "/api/v1/actions/{id}/wait",
  operationId: "waitAction",
  summary: "Long-poll until the action is no longer pending (or timeoutSeconds pass)",
  tag: "Agents",
  auth: { agent: true },
  params: ZIdParams,
  query: ZWaitQuery,
  response: ZActionView,
  handler: ({ db, principal, params, query, signal }) => waitForDecision(db, agentPrincipal(principal).actor.id, params.id, query.timeoutSeconds, signal),
});

export const actionResultRoute = defineRoute({
  method: "POST",
  path: "/api/v1/actions/{id}/result",
  operationId: "actionResult",
  answers: {
    409: "The action is not approved, its result was already reported, or Warden runs it itself (an MCP gateway call, whose result only Warden reports)",
  },
  summary: "Report the outcome of an approved action (not of an MCP gateway call: Warden runs those and reports their results)",
  tag: "Agents",
  auth: { agent: true },
  params: ZIdParams,
  body: ZActionResultRequest,
  response: ZActionView,
  idempotent: true,
  handler: ({ db, principal, params, body, origin }) => reportActionResult(db, agentPrincipal(principal).actor, params.id, body, origin),
});
