import type { Actor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { publish } from "../events/bus";
import { notFound } from "../errors";
import { ZUpdateAgentGrantsRequest, type UpdateAgentGrantsRequest } from "../schemas/agents";
import { toAgentView } from "./agent-view";

/** Changes what an agent may do: its capabilities, tools and resource scopes (budgets: server/cost/budgets.ts). */
export async function updateAgentGrants(db: DbOrTx, actor: Actor, agentId: string, request: UpdateAgentGrantsRequest, origin?: RequestOrigin) {
  const input = ZUpdateAgentGrantsRequest.parse(request);
  return inTransaction(db, async (tx) => {
    const before = await tx.agent.findUnique({ where: { id: agentId } });
    if (!before) throw notFound("agent", agentId);
    const agent = await tx.agent.update({
      where: { id: agentId },
      data: {
        capabilities: [...new Set(input.capabilities)],
        tools: [...new Set(input.tools)],
        scopes: [...new Set(input.scopes)],
      },
    });
    const view = toAgentView(agent);
    const previous = toAgentView(before);
    await appendAudit(tx, {
      actor,
      verb: "agent.update",
      subject: { type: "agent", id: agentId },
      data: {
        name: view.name,
        before: { capabilities: previous.capabilities, tools: previous.tools, scopes: previous.scopes },
        after: { capabilities: view.capabilities, tools: view.tools, scopes: view.scopes },
      },
      origin,
    });
    await publish(tx, { type: "agent.changed", agentId });
    return view;
  });
}
