import { z } from "zod";
import { agentPrincipal, personPrincipal } from "../auth/authenticate-bearer";
import type { Db } from "../db/client";
import type { ControlLevel } from "../db/generated/client";
import { defineRoute, type ApiRoute } from "../http/api-route";
import { ZUuid } from "../schemas/common";
import {
  ZAckRequest,
  ZAckResponse,
  ZApprovalStreamEvent,
  ZControlStreamEvent,
  ZRollbackStreamEvent,
  ZControlChangeRequest,
  ZControlView,
  ZHeartbeatRequest,
  ZKillRequest,
  ZKillTokenRequest,
  ZRollbackResultRequest,
  ZRollbackResultResponse,
} from "../schemas/control";
import { acknowledgeEpoch, heartbeat, reportRollbackResult } from "./agent-presence";
import { agentStream } from "./agent-stream";
import { changeControl } from "./change-control";
import { issueKillToken, killWithToken } from "./kill-switch";
import { resolveScope, scopeText } from "./scope";

const ZChangeResponse = z.object({ epoch: z.number(), scope: z.string(), state: z.string(), reason: z.string(), agents: z.number() });

function levelRoute(path: string, operationId: string, state: ControlLevel, summary: string): ApiRoute {
  return defineRoute({
    method: "POST",
    path,
    operationId,
    summary,
    tag: "Kill switch",
    auth: { user: "operator" },
    body: ZControlChangeRequest,
    response: ZChangeResponse,
    idempotent: true,
    answers: { 409: "A stricter level already holds the scope (a kill is undone only by a resume)" },
    handler: async ({ db, principal, body, origin }) => {
      const scope = await resolveScope(db, body.scope);
      const change = await changeControl(db, personPrincipal(principal).actor, { scope, state, reason: body.reason }, origin);
      return { epoch: change.epoch, scope: scopeText(scope), state: change.state, reason: change.reason, agents: change.targetAgents.length };
    },
  });
}

/**
 * Each level is served at /api/v1/control/<level> and, as operators type it, at /<level> (the
 * root ones' operation ids end in "AtRoot").
 */
export function controlLevelRoutes(prefix: "/api/v1/control" | "") {
  const suffix = prefix === "" ? "AtRoot" : "";
  return {
    pause: levelRoute(`${prefix}/pause`, `pause${suffix}`, "paused", "Pause a scope: no new tasks; actions only for tasks in progress"),
    suspend: levelRoute(`${prefix}/suspend`, `suspend${suffix}`, "suspended", "Suspend a scope: every action is refused from the next request on"),
    resume: levelRoute(`${prefix}/resume`, `resume${suffix}`, "running", "Resume a scope"),
    kill: defineRoute({
      method: "POST",
      path: `${prefix}/kill`,
      operationId: `kill${suffix}`,
      answers: { 409: "The confirmation token is unknown, used, expired, or its plan changed" },
      summary: "Kill a scope with a confirmation token from kill-token: actions refused, undo orders sent newest first",
      tag: "Kill switch",
      auth: { user: "operator" },
      body: ZKillRequest,
      response: z.object({
        epoch: z.number(),
        scope: z.string(),
        state: z.string(),
        agents: z.number(),
        rollbacks: z.number(),
        irreversible: z.array(z.unknown()),
      }),
      handler: ({ db, principal, body, origin }) => killWithToken(db, personPrincipal(principal).actor, body, origin),
    }),
  };
}

export const apiControlRoutes = controlLevelRoutes("/api/v1/control");
export const rootControlRoutes = controlLevelRoutes("");

export const killTokenRoute = defineRoute({
  method: "POST",
  path: "/api/v1/control/kill-token",
  operationId: "killToken",
  summary: "A single-use kill confirmation (two minutes) with the rollback plan it is bound to",
  tag: "Kill switch",
  auth: { user: "operator" },
  body: ZKillTokenRequest,
  response: z.object({
    token: z.string(),
    expiresAt: z.string(),
    scope: z.string(),
    planHash: z.string(),
    rollbackPlan: z.array(z.unknown()),
    irreversible: z.array(z.unknown()),
  }),
  successStatus: 201,
  handler: ({ db, principal, body, origin }) => issueKillToken(db, personPrincipal(principal).actor, body, origin),
});

export const heartbeatRoute = defineRoute({
  method: "POST",
  path: "/api/v1/heartbeat",
  operationId: "heartbeat",
  summary: "I am alive: answers with the agent's control state and epoch",
  tag: "Agents",
  auth: { agent: true },
  body: ZHeartbeatRequest,
  response: z.object({ control: ZControlView }),
  handler: ({ db, principal }) => heartbeat(db, agentPrincipal(principal).agent.id),
});

export const ackRoute = defineRoute({
  method: "POST",
  path: "/api/v1/control/ack",
  operationId: "ack",
  summary: "Acknowledge every control change up to an epoch",
  tag: "Agents",
  auth: { agent: true },
  body: ZAckRequest,
  response: ZAckResponse,
  // Not idempotent-wrapped, so `db` is the client itself: acknowledgements are batched across requests.
  handler: ({ db, principal, body }) => acknowledgeEpoch(db as Db, agentPrincipal(principal).agent.id, body.epoch),
});

export const streamRoute = defineRoute({
  method: "GET",
  path: "/api/v1/control/stream",
  operationId: "stream",
  summary: "Server-Sent Events: control, approval, rollback; send Last-Event-ID to replay what was missed",
  tag: "Agents",
  auth: { agent: true },
  events: {
    control: ZControlStreamEvent,
    approval: ZApprovalStreamEvent,
    rollback: ZRollbackStreamEvent,
    revoked: z.object({ reason: z.string() }),
  },
  handler: ({ db, principal, headers, signal }) => {
    const header = headers.get("last-event-id");
    const lastEventId = header && /^\d+$/.test(header) ? Number(header) : null;
    const agent = agentPrincipal(principal);
    return agentStream(db, agent.agent, agent.keyId, lastEventId, signal);
  },
});

export const rollbackResultRoute = defineRoute({
  method: "POST",
  path: "/api/v1/rollbacks/{id}/result",
  operationId: "rollbackResult",
  answers: { 409: "The undo order was already reported" },
  summary: "Report the outcome of an undo order",
  tag: "Agents",
  auth: { agent: true },
  params: z.object({ id: ZUuid }),
  body: ZRollbackResultRequest,
  response: ZRollbackResultResponse,
  idempotent: true,
  handler: ({ db, principal, params, body, origin }) => reportRollbackResult(db, agentPrincipal(principal).actor, params.id, body, origin),
});
