import type { Actor, RequestOrigin } from "../auth/actor";
import { issueSecret } from "../auth/secrets";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { AppError, invalidField } from "../errors";
import { ZCreateAgentRequest, type AgentView, type CreateAgentRequest } from "../schemas/agents";
import { toAgentView } from "./agent-view";

export type RegisteredAgent = { agent: AgentView; key: { id: string; secret: string; prefix: string } };

/** Registers an agent and issues its first key (the secret is returned once, stored hashed). */
export async function registerAgent(db: DbOrTx, actor: Actor, request: CreateAgentRequest, origin?: RequestOrigin): Promise<RegisteredAgent> {
  const input = ZCreateAgentRequest.parse(request);
  const issued = issueSecret("agentKey");
  return inTransaction(db, async (tx) => {
    if (await tx.agent.findUnique({ where: { name: input.name }, select: { id: true } })) {
      throw new AppError("CONFLICT", `name: an agent named ${input.name} already exists`, {
        details: [{ field: "name", message: "already exists" }],
      });
    }
    if (input.parentId) {
      const parent = await tx.agent.findUnique({ where: { id: input.parentId }, select: { role: true, active: true } });
      if (!parent) throw invalidField("parentId", "no agent has this id");
      if (parent.role !== "lead") throw invalidField("parentId", "the parent must be a lead agent");
      if (!parent.active) throw invalidField("parentId", "the parent agent is deactivated");
    }
    const agent = await tx.agent.create({
      data: {
        name: input.name,
        role: input.role,
        team: input.team,
        parentId: input.parentId ?? null,
        capabilities: unique(input.capabilities),
        tools: unique(input.tools),
        scopes: unique(input.scopes),
        ownerId: actor.type === "user" ? actor.id : null,
      },
    });
    const key = await tx.agentKey.create({
      data: { agentId: agent.id, name: "default", keyHash: issued.hash, prefix: issued.prefix },
      select: { id: true },
    });
    const view = toAgentView(agent);
    await appendAudit(tx, {
      actor,
      verb: "agent.create",
      subject: { type: "agent", id: agent.id },
      data: {
        name: view.name,
        role: view.role,
        team: view.team,
        parentId: view.parentId,
        capabilities: view.capabilities,
        tools: view.tools,
        scopes: view.scopes,
        keyId: key.id,
        keyPrefix: issued.prefix,
      },
      origin,
    });
    return { agent: view, key: { id: key.id, secret: issued.secret, prefix: issued.prefix } };
  });
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
