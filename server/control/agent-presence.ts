import type { AgentActor, RequestOrigin, UserActor } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { AppError, notFound } from "../errors";
import { publish } from "../events/bus";
import { getEffectiveControl, type EffectiveControl } from "./effective-state";

/** A heartbeat: the agent is alive (for the fleet view and undo routing) and learns its control state. */
export async function heartbeat(db: DbOrTx, agentId: string): Promise<{ control: EffectiveControl }> {
  await db.agent.update({ where: { id: agentId }, data: { lastSeenAt: new Date() } });
  return { control: await getEffectiveControl(db, agentId) };
}

/**
 * The agent confirms it has applied every control change up to `epoch`. Each change that
 * targeted it in between gets an acknowledgement with its latency (the console's "M of N").
 */
export async function acknowledgeEpoch(db: DbOrTx, agentId: string, epoch: number): Promise<{ ackedEpoch: number; acknowledged: number }> {
  const { acked, events } = await inTransaction(db, async (tx) => {
    const [agent] = await tx.$queryRaw<{ acked_epoch: bigint }[]>`SELECT acked_epoch FROM agents WHERE id = ${agentId}::uuid FOR UPDATE`;
    const [latest] = await tx.$queryRaw<{ last: bigint | null }[]>`SELECT max(epoch) AS last FROM control_events`;
    if (BigInt(epoch) > (latest?.last ?? BigInt(0))) {
      throw new AppError("BAD_REQUEST", `epoch: ${epoch} has not happened yet`, { details: [{ field: "epoch", message: "has not happened yet" }] });
    }
    const previous = agent!.acked_epoch;
    if (BigInt(epoch) <= previous) return { acked: Number(previous), events: [] as bigint[] };
    const inserted = await tx.$queryRaw<{ epoch: bigint }[]>`
      INSERT INTO control_acks (epoch, agent_id, latency_ms)
      SELECT e.epoch, ${agentId}::uuid, greatest(0, (extract(epoch FROM clock_timestamp() - e.created_at) * 1000)::int)
        FROM control_events e
       WHERE e.epoch > ${previous} AND e.epoch <= ${epoch} AND ${agentId}::uuid = ANY(e.target_agents)
      ON CONFLICT DO NOTHING
      RETURNING epoch`;
    await tx.$executeRaw`UPDATE agents SET acked_epoch = ${epoch}, last_seen_at = now() WHERE id = ${agentId}::uuid`;
    for (const row of inserted) await publish(tx, { type: "control.acked", epoch: Number(row.epoch), agentId });
    return { acked: epoch, events: inserted.map((r) => r.epoch) };
  });
  return { ackedEpoch: acked, acknowledged: events.length };
}

/** The agent reports the outcome of an undo order; a success marks the action rolled back. */
export async function reportRollbackResult(
  db: DbOrTx,
  actor: AgentActor,
  rollbackId: string,
  result: { status: "succeeded" | "failed"; error?: string },
  origin?: RequestOrigin,
) {
  return inTransaction(db, async (tx) => {
    const rollback = await tx.rollback.findUnique({ where: { id: rollbackId } });
    if (!rollback || rollback.agentId !== actor.id) throw notFound("rollback", rollbackId);
    if (rollback.status === "succeeded" || rollback.status === "failed") {
      throw new AppError("CONFLICT", `The rollback was already reported (${rollback.status})`);
    }
    const updated = await tx.rollback.update({
      where: { id: rollbackId },
      data: { status: result.status, error: result.error ?? null, completedAt: new Date() },
    });
    if (result.status === "succeeded") await tx.action.update({ where: { id: rollback.actionId }, data: { status: "rolled_back" } });
    await publish(tx, { type: "rollback.updated", rollbackId, epoch: Number(rollback.epoch), status: result.status });
    await appendAudit(tx, {
      actor,
      verb: result.status === "succeeded" ? "rollback.succeeded" : "rollback.failed",
      subject: { type: "action", id: rollback.actionId },
      data: { rollbackId, epoch: Number(rollback.epoch), error: result.error ?? null },
      origin,
    });
    return { id: updated.id, status: updated.status };
  });
}

/** A person marks an undo order done by hand (for an agent that was offline). */
export async function resolveRollbackManually(db: DbOrTx, actor: UserActor, rollbackId: string, status: "succeeded" | "failed", origin?: RequestOrigin) {
  return inTransaction(db, async (tx) => {
    const rollback = await tx.rollback.findUnique({ where: { id: rollbackId } });
    if (!rollback) throw notFound("rollback", rollbackId);
    if (rollback.status === "succeeded" || rollback.status === "failed") throw new AppError("CONFLICT", `Already ${rollback.status}`);
    await tx.rollback.update({ where: { id: rollbackId }, data: { status, completedAt: new Date(), error: status === "failed" ? "marked failed by a person" : null } });
    if (status === "succeeded") await tx.action.update({ where: { id: rollback.actionId }, data: { status: "rolled_back" } });
    await publish(tx, { type: "rollback.updated", rollbackId, epoch: Number(rollback.epoch), status });
    await appendAudit(tx, { actor, verb: "rollback.manual", subject: { type: "action", id: rollback.actionId }, data: { rollbackId, status }, origin });
    return { id: rollbackId, status };
  });
}
