import type { Actor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx, Tx } from "../db/client";
import type { ControlLevel } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { publish } from "../events/bus";
import { applyControlToTasks } from "../tasks/control-effects";
import { agentsInScopeSql, type Scope } from "./scope";
import { ADVISORY_LOCKS } from "../db/advisory-locks";


export type ControlChange = { epoch: number; scope: Scope; state: ControlLevel; reason: string; targetAgents: string[] };

const VERB: Record<ControlLevel, string> = { running: "control.resume", paused: "control.pause", suspended: "control.suspend", killed: "control.kill" };

/**
 * Sets a scope's control state and records the change as a new epoch, with the active agents it
 * reaches (the "N" the console counts acknowledgements against). Changes are serialized, so
 * epochs are in commit order. `extra` runs in the same transaction (a kill's rollback orders).
 */
export async function changeControl(
  db: DbOrTx,
  actor: Actor,
  change: { scope: Scope; state: ControlLevel; reason: string; auditData?: Record<string, unknown> },
  origin?: RequestOrigin,
  extra?: (tx: Tx, epoch: number) => Promise<void>,
): Promise<ControlChange> {
  return inTransaction(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.controlChange})`;
    const [{ epoch }] = (await tx.$queryRaw<{ epoch: bigint }[]>`SELECT nextval('warden_stream_seq') AS epoch`) as [{ epoch: bigint }];
    const { scope, state, reason } = change;
    const targets = await tx.$queryRaw<{ id: string }[]>`
      SELECT a.id FROM agents a WHERE a.active AND ${agentsInScopeSql(scope)} ORDER BY a.name`;
    const targetAgents = targets.map((t) => t.id);
    await tx.controlScope.upsert({
      where: { kind_key: { kind: scope.kind, key: scope.key } },
      create: { kind: scope.kind, key: scope.key, state, reason, epoch, changedBy: actor.label, changedAt: new Date() },
      update: { state, reason, epoch, changedBy: actor.label, changedAt: new Date() },
    });
    const event = await tx.controlEvent.create({
      data: {
        epoch,
        kind: scope.kind,
        key: scope.key,
        state,
        reason,
        actorType: actor.type,
        actorId: actor.id,
        actorLabel: actor.label,
        targetAgents,
      },
      select: { createdAt: true },
    });
    const tasks = await applyControlToTasks(tx, scope, state);
    if (extra) await extra(tx, Number(epoch));
    await publish(tx, { type: "control.changed", epoch: Number(epoch), kind: scope.kind, key: scope.key, state, reason, at: event.createdAt.toISOString() });
    await appendAudit(tx, {
      actor,
      verb: VERB[state],
      subject: { type: "scope", id: `${scope.kind}:${scope.key}` },
      data: { scope: scope.label, epoch: Number(epoch), reason, agents: targetAgents.length, tasks, ...(change.auditData ?? {}) },
      origin,
    });
    return { epoch: Number(epoch), scope, state, reason, targetAgents };
  });
}

/**
 * The programmatic trigger for automatic pauses (budgets, alerts): pauses one agent, audited
 * as the system with its reason ("budget"). Does nothing when the agent is already paused or
 * stricter for that reason.
 */
export async function pauseAgentAutomatically(db: DbOrTx, agent: { id: string; name: string }, reason: string): Promise<ControlChange | null> {
  const current = await db.controlScope.findUnique({ where: { kind_key: { kind: "agent", key: agent.id } } });
  if (current && current.state !== "running" && current.reason === reason) return null;
  return changeControl(db, { type: "system", id: null, label: "warden" }, { scope: { kind: "agent", key: agent.id, label: `agent ${agent.name}` }, state: "paused", reason, auditData: { automatic: true } });
}
