import { agentPrincipal } from "../auth/authenticate-bearer";
import { defineRoute } from "../http/api-route";
import { ZRecordUsageRequest, ZUsageEvent } from "../schemas/cost";
import { recordUsage } from "./record-usage";

export const recordUsageRoute = defineRoute({
  method: "POST",
  path: "/api/v1/usage",
  summary: "Report a model call's tokens (and its cost, if known): priced from the price table otherwise, counted toward budgets",
  tag: "Agents",
  auth: { agent: true },
  body: ZRecordUsageRequest,
  response: ZUsageEvent,
  successStatus: 201,
  idempotent: true,
  handler: ({ db, principal, body }) => {
    const { actor } = agentPrincipal(principal);
    return recordUsage(db, { id: actor.id, name: actor.label, team: actor.team }, body);
  },
});
