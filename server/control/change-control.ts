import { endGrantsInScope } from "../policy/approval-grants";
import type { Actor, RequestOrigin } from "../auth/actor";
import { markExpired } from "../approvals/decide-approval";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx, Tx } from "../db/client";
import type { ControlLevel } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { AppError } from "../errors";
import { publish } from "../events/bus";
import { CONTROL_RANK } from "../schemas/control";
import { applyControlToTasks } from "../tasks/control-effects";
import { ADVISORY_LOCKS } from "../db/advisory-locks";
import { agentsInScopeSql, scopeText, type Scope } from "./scope";
import { isStopped } from "./effective-state";

export type ControlChange = { epoch: number; scope: Scope; state: ControlLevel; reason: string; targetAgents: string[]; offlineAgents: string[] };

/** An agent not seen for this long is offline: outside "M of N", and its undo orders wait for a person. */
export const OFFLINE_AFTER_MS = 60_000;

export type GoverningControl = { state: ControlLevel; scope: string };

/**
 * The strictest state over a scope's own and what it inherits (an agent's team and the fleet, a
 * team's fleet), and which scope sets it: what an agent in that scope obeys now.
 */
export async function governingControl(db: DbOrTx, scope: { kind: Scope["kind"]; key: string }): Promise<GoverningControl> {
  const team =
    scope.kind === "team"
      ? scope.key
      : scope.kind === "agent"
        ? ((await db.agent.findUnique({ where: { id: scope.key }, select: { team: true } }))?.team ?? null)
        : null;
  const rows = await db.controlScope.findMany({
    where: {
      OR: [
        { kind: "fleet", key: "fleet" },
        ...(team !== null ? [{ kind: "team" as const, key: team }] : []),
        ...(scope.kind === "agent" ? [{ kind: "agent" as const, key: scope.key }] : []),
      ],
    },
    select: { kind: true, key: true, state: true },
  });
  const strictest = rows.reduce<(typeof rows)[number] | null>((best, row) => (!best || CONTROL_RANK[row.state] > CONTROL_RANK[best.state] ? row : best), null);
  return strictest ? { state: strictest.state, scope: scopeText(strictest) } : { state: "running", scope: scopeText(scope) };
}

const VERB: Record<ControlLevel, string> = { running: "control.resume", paused: "control.pause", suspended: "control.suspend", killed: "control.kill" };

/**
 * Sets a scope's control state and records the change as a new epoch, with the active agents it
 * reaches (the "N" the console counts acknowledgements against). Changes are serialized, so
 * epochs are in commit order. `extra` runs in the same transaction (a kill's rollback orders).
 * A level below what governs the scope (its own state or an inherited one) changes nothing and
 * is a 409 naming that state: a pause must never quietly replace a kill. Only resume lowers.
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
    if (state !== "running") {
      const governing = await governingControl(tx, scope);
      if (CONTROL_RANK[state] < CONTROL_RANK[governing.state]) {
        throw new AppError(
          "CONFLICT",
          `${governing.scope} is ${governing.state}: ${VERB[state].replace("control.", "")} would not change it (only resume lowers a level)`,
          { details: { state: governing.state, scope: governing.scope } },
        );
      }
    }
    const targets = await tx.$queryRaw<{ id: string; offline: boolean }[]>`
      SELECT a.id, (a.last_seen_at IS NULL OR a.last_seen_at < now() - make_interval(secs => ${OFFLINE_AFTER_MS / 1000})) AS offline
        FROM agents a WHERE a.active AND ${agentsInScopeSql(scope)} ORDER BY a.name`;
    const targetAgents = targets.map((t) => t.id);
    const offlineAgents = targets.filter((t) => t.offline).map((t) => t.id);
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
        offlineAgents,
      },
      select: { createdAt: true },
    });
    const tasks = await applyControlToTasks(tx, scope, state);
    // Suspend and kill end the scope's pending approvals: nobody should approve work for an agent
    // that has been stopped. The agent is told they expired, and why.
    let endedApprovals = 0;
    if (isStopped(state)) {
      const pending = await tx.$queryRaw<{ id: string }[]>`
        SELECT x.id FROM actions x JOIN agents a ON a.id = x.agent_id
         WHERE x.status = 'pending_approval' AND ${agentsInScopeSql(scope)} ORDER BY x.id FOR UPDATE OF x`;
      await markExpired(
        tx,
        pending.map((p) => p.id),
        new Date(),
        { by: `control.${state}`, reason: `${scope.label} ${state}: ${reason}` },
      );
      endedApprovals = pending.length;
      // And their approval grants: a resumed agent asks again.
      await endGrantsInScope(tx, scope, `control.${state}`, `${scope.label} ${state}: ${reason}`);
    }
    if (extra) await extra(tx, Number(epoch));
    await publish(tx, { type: "control.changed", epoch: Number(epoch), kind: scope.kind, key: scope.key, state, reason, at: event.createdAt.toISOString() });
    await appendAudit(tx, {
      actor,
      verb: VERB[state],
      subject: { type: "scope", id: `${scope.kind}:${scope.key}` },
      data: {
        scope: scope.label,
        epoch: Number(epoch),
        reason,
        agents: targetAgents.length,
        offline: offlineAgents.length,
        tasks,
        endedApprovals,
        ...(change.auditData ?? {}),
      },
      origin,
    });
    return { epoch: Number(epoch), scope, state, reason, targetAgents, offlineAgents };
  });
}

/**
 * The programmatic trigger for automatic pauses (budgets, alerts): pauses one agent, audited
 * as the system with its reason ("budget"). Does nothing when the agent is already paused or
 * stricter for that reason.
 */
export async function pauseAgentAutomatically(
  db: DbOrTx,
  agent: { id: string; name: string },
  reason: string,
  /** Who pauses it, in the audit log (a policy rule names itself), and what the audit row adds. */
  by: { label: string; auditData?: Record<string, unknown> } = { label: "warden" },
): Promise<ControlChange | null> {
  const current = await db.controlScope.findUnique({ where: { kind_key: { kind: "agent", key: agent.id } } });
  if (current && current.state !== "running" && current.reason === reason) return null;
  // Already paused or stricter through its team or the fleet: a pause would change nothing.
  if (CONTROL_RANK[(await governingControl(db, { kind: "agent", key: agent.id })).state] >= CONTROL_RANK.paused) return null;
  return changeControl(
    db,
    { type: "system", id: null, label: by.label },
    { scope: { kind: "agent", key: agent.id, label: `agent ${agent.name}` }, state: "paused", reason, auditData: { automatic: true, ...by.auditData } },
  );
}
