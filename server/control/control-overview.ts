import type { DbOrTx } from "../db/client";
import { scopeText } from "./scope";

/** Every scope with a state, every team, and each agent's effective state, for /control. */
export async function controlOverview(db: DbOrTx) {
  const [scopes, agents] = await Promise.all([
    db.controlScope.findMany({ orderBy: [{ kind: "asc" }, { key: "asc" }] }),
    db.$queryRaw<{ id: string; name: string; team: string; state: string; reason: string | null; acked_epoch: bigint; last_seen_at: Date | null }[]>`
      SELECT a.id, a.name, a.team, ac.state::text AS state, ac.reason, a.acked_epoch, a.last_seen_at
        FROM agents a JOIN agent_control ac ON ac.agent_id = a.id
       WHERE a.active ORDER BY a.team, a.name`,
  ]);
  const names = new Map(agents.map((a) => [a.id, a.name]));
  const fleet = scopes.find((s) => s.kind === "fleet");
  return {
    fleet: { state: fleet?.state ?? "running", reason: fleet?.reason ?? null, changedBy: fleet?.changedBy ?? null, changedAt: fleet?.changedAt ?? null },
    scopes: scopes
      .filter((s) => s.state !== "running")
      .map((s) => ({
        scope: scopeText(s, names.get(s.key)),
        state: s.state,
        reason: s.reason,
        changedBy: s.changedBy,
        changedAt: s.changedAt,
        epoch: Number(s.epoch),
      })),
    teams: [...new Set(agents.map((a) => a.team))].sort(),
    agents: agents.map((a) => ({
      id: a.id,
      name: a.name,
      team: a.team,
      state: a.state,
      reason: a.reason,
      ackedEpoch: Number(a.acked_epoch),
      lastSeenAt: a.last_seen_at,
    })),
  };
}

/** The history of control changes, newest first, with how many of their agents acknowledged. */
export async function controlHistory(db: DbOrTx, limit = 50) {
  const events = await db.$queryRaw<
    {
      epoch: bigint;
      kind: "fleet" | "team" | "agent";
      key: string;
      state: string;
      reason: string | null;
      actor_label: string;
      created_at: Date;
      targets: number;
      acked: bigint;
    }[]
  >`
    SELECT e.epoch, e.kind, e.key, e.state::text AS state, e.reason, e.actor_label, e.created_at,
           cardinality(e.target_agents) - coalesce(cardinality(e.offline_agents), 0) AS targets,
           (SELECT count(*) FROM control_acks k WHERE k.epoch = e.epoch AND NOT k.agent_id = ANY(coalesce(e.offline_agents, '{}'))) AS acked
      FROM control_events e ORDER BY e.epoch DESC LIMIT ${limit}`;
  const agentNames = new Map(
    (await db.agent.findMany({ where: { id: { in: events.filter((e) => e.kind === "agent").map((e) => e.key) } }, select: { id: true, name: true } })).map(
      (a) => [a.id, a.name],
    ),
  );
  return events.map((e) => ({
    epoch: Number(e.epoch),
    scope: scopeText(e, agentNames.get(e.key)),
    state: e.state,
    reason: e.reason,
    actor: e.actor_label,
    at: e.created_at,
    targets: e.targets,
    acked: Number(e.acked),
  }));
}

/**
 * One change in detail: who acknowledged (with latency), who has not, and its undo orders.
 * "M of N" counts the agents connected when the change was made; those offline then are listed
 * apart and acknowledge when they connect.
 */
export async function controlEventDetail(db: DbOrTx, epoch: number) {
  const event = await db.controlEvent.findUnique({ where: { epoch: BigInt(epoch) }, include: { acks: true, rollbacks: { orderBy: { position: "asc" } } } });
  if (!event) return null;
  const agents = await db.agent.findMany({ where: { id: { in: event.targetAgents } }, select: { id: true, name: true, team: true, lastSeenAt: true } });
  const acks = new Map(event.acks.map((a) => [a.agentId, a]));
  const offline = new Set(event.offlineAgents);
  const actions = await db.action.findMany({
    where: { id: { in: event.rollbacks.map((r) => r.actionId) } },
    select: { id: true, action: true, agent: { select: { name: true } } },
  });
  const actionById = new Map(actions.map((a) => [a.id, a]));
  return {
    epoch,
    scope: scopeText(event),
    state: event.state,
    reason: event.reason,
    actor: event.actorLabel,
    at: event.createdAt,
    agents: agents
      .map((a) => ({
        id: a.id,
        name: a.name,
        team: a.team,
        lastSeenAt: a.lastSeenAt,
        offline: offline.has(a.id),
        ackedAt: acks.get(a.id)?.ackedAt ?? null,
        latencyMs: acks.get(a.id)?.latencyMs ?? null,
      }))
      .sort((x, y) => x.name.localeCompare(y.name)),
    rollbacks: event.rollbacks.map((r) => ({
      id: r.id,
      position: r.position,
      status: r.status,
      error: r.error,
      actionId: r.actionId,
      action: actionById.get(r.actionId)?.action ?? "",
      agent: actionById.get(r.actionId)?.agent.name ?? "",
      undo: r.undo,
    })),
    irreversible: event.irreversible as { actionId: string; agent: string; action: string }[],
  };
}
