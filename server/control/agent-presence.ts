import type { AgentActor, RequestOrigin, UserActor } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { Db, DbOrTx } from "../db/client";
import { sqlRows } from "../db/direct-sql";
import { Prisma } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { AppError, notFound } from "../errors";
import { announceAfterCommit, publish } from "../events/bus";
import type { EffectiveControl } from "./effective-state";

/**
 * A heartbeat: the agent is alive (for the fleet view and undo routing) and learns its control
 * state, read from the database (never the cache) in the statement that records it.
 */
export async function heartbeat(db: DbOrTx, agentId: string): Promise<{ control: EffectiveControl }> {
  const [row] = await sqlRows<{ state: EffectiveControl["state"]; reason: string | null; epoch: bigint }>(
    db,
    Prisma.sql`
    WITH seen AS (UPDATE agents SET last_seen_at = now() WHERE id = ${agentId}::uuid)
    SELECT state::text AS state, reason, epoch FROM agent_control WHERE agent_id = ${agentId}::uuid`,
  );
  return { control: { state: row?.state ?? "running", reason: row?.reason ?? null, epoch: Number(row?.epoch ?? 0) } };
}

type AckResult = { ackedEpoch: number; acknowledged: number };
type PendingAck = { agentId: string; epoch: number; resolve: (r: AckResult) => void; reject: (e: unknown) => void };

// A fleet-wide change brings every agent's acknowledgement at once: concurrent ones are written
// together, a few milliseconds apart, in one statement (group commit), instead of one each.
const BATCH_WINDOW_MS = 3;
const holder = globalThis as unknown as { wardenAckQueue?: { pending: PendingAck[]; timer: ReturnType<typeof setTimeout> | null } };
const queue = (holder.wardenAckQueue ??= { pending: [], timer: null });

/**
 * The agent confirms it has applied every control change up to `epoch`. Each change that
 * targeted it in between gets an acknowledgement with its latency (the console's "M of N").
 * Resolves once the acknowledgement is stored.
 */
export function acknowledgeEpoch(db: Db, agentId: string, epoch: number): Promise<AckResult> {
  return new Promise<AckResult>((resolve, reject) => {
    queue.pending.push({ agentId, epoch, resolve, reject });
    queue.timer ??= setTimeout(() => void flushAcks(db), BATCH_WINDOW_MS);
  });
}

async function flushAcks(db: Db): Promise<void> {
  const batch = queue.pending;
  queue.pending = [];
  queue.timer = null;
  // One row per agent (its highest epoch), so the statement updates each agent once.
  const highest = new Map<string, number>();
  for (const ack of batch) highest.set(ack.agentId, Math.max(highest.get(ack.agentId) ?? 0, ack.epoch));
  try {
    const rows = await sqlRows<{ agent_id: string; latest: bigint | null; current: bigint; acked: bigint[] }>(
      db,
      Prisma.sql`
      WITH input AS (SELECT * FROM unnest(${[...highest.keys()]}::uuid[], ${[...highest.values()]}::bigint[]) AS i(agent_id, epoch)),
      latest AS (SELECT max(epoch) AS epoch FROM control_events),
      locked AS (
        SELECT a.id, a.acked_epoch AS previous, i.epoch
          FROM agents a JOIN input i ON i.agent_id = a.id, latest
         WHERE i.epoch <= coalesce(latest.epoch, 0)
         ORDER BY a.id
           FOR UPDATE OF a),
      moved AS (
        UPDATE agents a SET acked_epoch = l.epoch, last_seen_at = now()
          FROM locked l WHERE a.id = l.id AND l.previous < l.epoch
        RETURNING a.id, l.previous, l.epoch),
      acked AS (
        INSERT INTO control_acks (epoch, agent_id, latency_ms)
        SELECT e.epoch, m.id, greatest(0, (extract(epoch FROM clock_timestamp() - e.created_at) * 1000)::int)
          FROM moved m JOIN control_events e ON e.epoch > m.previous AND e.epoch <= m.epoch AND m.id = ANY(e.target_agents)
        ON CONFLICT DO NOTHING
        RETURNING epoch, agent_id)
      SELECT i.agent_id::text AS agent_id, (SELECT epoch FROM latest) AS latest, coalesce(m.epoch, a.acked_epoch) AS current,
             array(SELECT k.epoch FROM acked k WHERE k.agent_id = i.agent_id) AS acked
        FROM input i JOIN agents a ON a.id = i.agent_id LEFT JOIN moved m ON m.id = i.agent_id`,
    );
    const byAgent = new Map(rows.map((r) => [r.agent_id, r]));
    const perEpoch = new Map<number, number>();
    for (const row of rows) for (const e of row.acked) perEpoch.set(Number(e), (perEpoch.get(Number(e)) ?? 0) + 1);
    // Announced in the next batched NOTIFY, not one of its own per batch awaited before the agents
    // hear back: a NOTIFY's commit takes PostgreSQL's cluster-wide notify lock, and a fleet-wide
    // change brings a hundred batches at once (events/bus.ts, announceAfterCommit).
    announceAfterCommit(
      db,
      [...perEpoch].map(([epoch, count]) => ({ type: "control.acked" as const, epoch, count })),
    );
    for (const ack of batch) {
      const row = byAgent.get(ack.agentId);
      if (!row || BigInt(ack.epoch) > (row.latest ?? BigInt(0))) {
        ack.reject(new AppError("BAD_REQUEST", `epoch: ${ack.epoch} has not happened yet`, { details: [{ field: "epoch", message: "has not happened yet" }] }));
      } else {
        ack.resolve({ ackedEpoch: Number(row.current), acknowledged: row.acked.filter((e) => Number(e) <= ack.epoch).length });
      }
    }
  } catch (error) {
    for (const ack of batch) ack.reject(error);
  }
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
    const claimed = await tx.rollback.updateMany({
      where: { id: rollbackId, status: { in: ["sent", "awaiting_manual"] } },
      data: { status: result.status, error: result.error ?? null, completedAt: new Date() },
    });
    if (claimed.count === 0) throw new AppError("CONFLICT", "The rollback was already reported");
    const updated = { id: rollbackId, status: result.status };
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
    const claimed = await tx.rollback.updateMany({
      where: { id: rollbackId, status: { in: ["sent", "awaiting_manual"] } },
      data: { status, completedAt: new Date(), error: status === "failed" ? "marked failed by a person" : null },
    });
    if (claimed.count === 0) throw new AppError("CONFLICT", "The rollback was already reported");
    if (status === "succeeded") await tx.action.update({ where: { id: rollback.actionId }, data: { status: "rolled_back" } });
    await publish(tx, { type: "rollback.updated", rollbackId, epoch: Number(rollback.epoch), status });
    await appendAudit(tx, { actor, verb: "rollback.manual", subject: { type: "action", id: rollback.actionId }, data: { rollbackId, status }, origin });
    return { id: rollbackId, status };
  });
}
