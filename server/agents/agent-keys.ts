import type { Actor, RequestOrigin } from "../auth/actor";
import { issueSecret } from "../auth/secrets";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { AppError, notFound } from "../errors";
import { publish } from "../events/bus";
import { endAgentGrants } from "../policy/approval-grants";
import { toAgentKeyView } from "./agent-view";

export async function listAgentKeys(db: DbOrTx, agentId: string) {
  const keys = await db.agentKey.findMany({ where: { agentId }, orderBy: { createdAt: "desc" } });
  return keys.map(toAgentKeyView);
}

/** Another key for an agent (rotation): the secret is returned once. */
export async function issueAgentKey(db: DbOrTx, actor: Actor, agentId: string, name: string, origin?: RequestOrigin) {
  const issued = issueSecret("agentKey");
  return inTransaction(db, async (tx) => {
    const agent = await tx.agent.findUnique({ where: { id: agentId }, select: { id: true, name: true, active: true } });
    if (!agent) throw notFound("agent", agentId);
    if (!agent.active) throw new AppError("CONFLICT", `agent ${agent.name} is deactivated`);
    const key = await tx.agentKey.create({
      data: { agentId, name, keyHash: issued.hash, prefix: issued.prefix },
    });
    await appendAudit(tx, {
      actor,
      verb: "agent.key.create",
      subject: { type: "agent_key", id: key.id },
      data: { agentId, agent: agent.name, name, prefix: issued.prefix },
      origin,
    });
    return { key: toAgentKeyView(key), secret: issued.secret };
  });
}

export async function revokeAgentKey(db: DbOrTx, actor: Actor, keyId: string, origin?: RequestOrigin) {
  return inTransaction(db, async (tx) => {
    const key = await tx.agentKey.findUnique({ where: { id: keyId }, include: { agent: { select: { name: true } } } });
    if (!key) throw notFound("key", keyId);
    if (key.revokedAt) return toAgentKeyView(key);
    const revoked = await tx.agentKey.update({ where: { id: keyId }, data: { revokedAt: new Date() } });
    await publish(tx, { type: "agent.access_revoked", agentId: key.agentId, keyId });
    // The agent's approval grants end with the key: a revoked key puts the agent in question.
    const endedGrants = await endAgentGrants(tx, key.agentId, "agent.key.revoke", `key ${key.name} (${key.prefix}) of ${key.agent.name} revoked`);
    await appendAudit(tx, {
      actor,
      verb: "agent.key.revoke",
      subject: { type: "agent_key", id: keyId },
      data: { agentId: key.agentId, agent: key.agent.name, name: key.name, prefix: key.prefix, endedGrants },
      origin,
    });
    return toAgentKeyView(revoked);
  });
}

/** Deactivating an agent revokes every key it holds, in the same transaction. */
export async function setAgentActive(db: DbOrTx, actor: Actor, agentId: string, active: boolean, origin?: RequestOrigin) {
  return inTransaction(db, async (tx) => {
    const agent = await tx.agent.findUnique({ where: { id: agentId } });
    if (!agent) throw notFound("agent", agentId);
    if (agent.active === active) return { id: agentId, active };
    await tx.agent.update({ where: { id: agentId }, data: { active } });
    let revokedKeys = 0;
    let endedGrants = 0;
    if (!active) {
      revokedKeys = (await tx.agentKey.updateMany({ where: { agentId, revokedAt: null }, data: { revokedAt: new Date() } })).count;
      await publish(tx, { type: "agent.access_revoked", agentId, keyId: null });
      // Its approval grants end too: a reactivated agent asks again.
      endedGrants = await endAgentGrants(tx, agentId, "agent.deactivate", `${agent.name} deactivated`);
    }
    await appendAudit(tx, {
      actor,
      verb: active ? "agent.activate" : "agent.deactivate",
      subject: { type: "agent", id: agentId },
      data: { name: agent.name, revokedKeys, ...(active ? {} : { endedGrants }) },
      origin,
    });
    return { id: agentId, active };
  });
}
