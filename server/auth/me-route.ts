import { z } from "zod";
import { getAgent } from "../agents/list-agents";
import { defineRoute } from "../http/api-route";
import { ZAgent } from "../schemas/agents";
import { ZRole } from "../schemas/common";

export const meRoute = defineRoute({
  method: "GET",
  path: "/api/v1/me",
  operationId: "me",
  summary: "Who the key or token belongs to",
  tag: "Agents",
  auth: { agent: true, user: "viewer" },
  response: z.union([
    z.object({ type: z.literal("agent"), agent: ZAgent }),
    z.object({ type: z.literal("user"), user: z.object({ id: z.string(), email: z.string(), role: ZRole }) }),
  ]),
  handler: async ({ db, principal }) =>
    principal.kind === "agent"
      ? { type: "agent" as const, agent: await getAgent(db, principal.actor.id) }
      : { type: "user" as const, user: { id: principal.actor.id, email: principal.actor.label, role: principal.actor.role } },
});
