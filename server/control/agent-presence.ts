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
 * One statement (the agent row locked, moved forward, the acks inserted), since a fleet-wide
 * change brings every agent's ack at once.
 */
export async function acknowledgeEpoch(db: DbOrTx, agentId: string, epoch: number): Promise<{ ackedEpoch: number; acknowledged: number }> {
  const [result] = await db.$queryRaw<{ latest: bigint | null; current: bigint; acked: bigint[] }[]>`
    WITH latest AS (SELECT max(epoch) AS epoch FROM control_events),
    moved AS (
      UPDATE agents a SET acked_epoch = ${epoch}, last_seen_at = now()
        FROM (SELECT id, acked_epoch AS previous FROM agents WHERE id = ${agentId}::uuid FOR UPDATE) p, latest
       WHERE a.id = p.id AND p.previous < ${epoch} AND ${epoch} <= coalesce(latest.epoch, 0)
      RETURNING p.previous
    ),
    acked AS (
      INSERT INTO control_acks (epoch, agent_id, latency_ms)
      SELECT e.epoch, ${agentId}::uuid, greatest(0, (extract(epoch FROM clock_timestamp() - e.created_at) * 1000)::int)
        FROM control_events e, moved
       WHERE e.epoch > moved.previous AND e.epoch <= ${epoch} AND ${agentId}::uuid = ANY(e.target_agents)
      ON CONFLICT DO NOTHING
      RETURNING epoch
    )
    SELECT (SELECT epoch FROM latest) AS latest,
           coalesce((SELECT ${epoch}::bigint FROM moved), (SELECT acked_epoch FROM agents WHERE id = ${agentId}::uuid)) AS current,
           array(SELECT epoch FROM acked) AS acked`;
  if (BigInt(epoch) > (result?.latest ?? BigInt(0))) {
    throw new AppError("BAD_REQUEST", `epoch: ${epoch} has not happened yet`, { details: [{ field: "epoch", message: "has not happened yet" }] });
  }
  for (const acked of result!.acked) await publish(db, { type: "control.acked", epoch: Number(acked), agentId });
  return { ackedEpoch: Math.max(Number(result!.current), 0), acknowledged: result!.acked.length };
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
