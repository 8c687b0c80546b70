import type { DbOrTx } from "../db/client";
import { OFFLINE_AFTER_MS } from "../control/change-control";

export type LiveState = "working" | "idle" | "waiting_for_approval" | "paused" | "suspended" | "killed" | "offline";

export type FleetAgent = {
  id: string;
  name: string;
  role: "lead" | "specialist";
  team: string;
  parentId: string | null;
  capabilities: string[];
  state: LiveState;
  controlReason: string | null;
  lastSeenAt: Date | null;
  currentTask: { id: string; title: string } | null;
  lastAction: { id: string; action: string; decision: string; status: string; at: Date } | null;
  costToday: number;
  successRate: number | null;
};

type Row = {
  id: string;
  name: string;
  role: "lead" | "specialist";
  team: string;
  parent_id: string | null;
  capabilities: string[];
  control: string;
  control_reason: string | null;
  last_seen_at: Date | null;
  task_id: string | null;
  task_title: string | null;
  pending: bigint;
  action_id: string | null;
  action_text: string | null;
  action_decision: string | null;
  action_status: string | null;
  action_at: Date | null;
  cost_today: string | null;
  succeeded: bigint;
  failed: bigint;
};

/**
 * Every active agent with its live state: the control state first (killed, suspended, paused),
 * then offline by heartbeat age, then waiting for an approval, working on a task, or idle; with
 * its current task, last action, today's cost and 7-day success rate. One query.
 */
export async function fleetOverview(
  db: DbOrTx,
  now = new Date(),
): Promise<{ agents: FleetAgent[]; queues: { capability: string; depth: number; oldestSeconds: number }[] }> {
  const dayStart = new Date(now);
  dayStart.setUTCHours(0, 0, 0, 0);
  const weekAgo = new Date(now.getTime() - 7 * 86400_000);
  const [rows, queues] = await Promise.all([
    db.$queryRaw<Row[]>`
      SELECT a.id, a.name, a.role::text AS role, a.team, a.parent_id, a.capabilities, ac.state::text AS control, ac.reason AS control_reason, a.last_seen_at,
             t.id AS task_id, t.title AS task_title,
             (SELECT count(*) FROM actions p WHERE p.agent_id = a.id AND p.status = 'pending_approval') AS pending,
             la.id AS action_id, la.action AS action_text, la.decision::text AS action_decision, la.status::text AS action_status, la.created_at AS action_at,
             -- today's spend counter: usage events, action results and task completions, as budgets count them
             (SELECT coalesce(sum(c.usd), 0) FROM spend_counters c
               WHERE c.agent_id = a.id AND c.period = 'day' AND c.period_start = ${dayStart.toISOString().slice(0, 10)}::date)::text AS cost_today,
             (SELECT count(*) FROM actions s WHERE s.agent_id = a.id AND s.status = 'succeeded' AND s.completed_at >= ${weekAgo}) AS succeeded,
             (SELECT count(*) FROM actions f WHERE f.agent_id = a.id AND f.status = 'failed' AND f.completed_at >= ${weekAgo}) AS failed
        FROM agents a
        JOIN agent_control ac ON ac.agent_id = a.id
        LEFT JOIN LATERAL (SELECT id, title FROM tasks WHERE leased_by = a.id AND status IN ('leased', 'running') ORDER BY updated_at DESC LIMIT 1) t ON true
        LEFT JOIN LATERAL (SELECT id, action, decision, status, created_at FROM actions WHERE agent_id = a.id ORDER BY created_at DESC LIMIT 1) la ON true
       WHERE a.active
       ORDER BY a.team, a.name`,
    db.$queryRaw<{ capability: string; depth: bigint; oldest: Date }[]>`
      SELECT capability, count(*) AS depth, min(created_at) AS oldest FROM tasks WHERE status = 'queued' GROUP BY capability ORDER BY capability`,
  ]);
  const agents = rows.map((r): FleetAgent => {
    const offline = !r.last_seen_at || now.getTime() - r.last_seen_at.getTime() > OFFLINE_AFTER_MS;
    const state: LiveState =
      r.control === "killed" || r.control === "suspended" || r.control === "paused"
        ? (r.control as LiveState)
        : offline
          ? "offline"
          : r.pending > 0
            ? "waiting_for_approval"
            : r.task_id
              ? "working"
              : "idle";
    const done = Number(r.succeeded) + Number(r.failed);
    return {
      id: r.id,
      name: r.name,
      role: r.role,
      team: r.team,
      parentId: r.parent_id,
      capabilities: r.capabilities,
      state,
      controlReason: r.control_reason,
      lastSeenAt: r.last_seen_at,
      currentTask: r.task_id ? { id: r.task_id, title: r.task_title ?? "" } : null,
      lastAction: r.action_id
        ? { id: r.action_id, action: r.action_text ?? "", decision: r.action_decision ?? "", status: r.action_status ?? "", at: r.action_at! }
        : null,
      costToday: Number(r.cost_today ?? 0),
      successRate: done === 0 ? null : Number(r.succeeded) / done,
    };
  });
  return {
    agents,
    queues: queues.map((q) => ({ capability: q.capability, depth: Number(q.depth), oldestSeconds: Math.round((now.getTime() - q.oldest.getTime()) / 1000) })),
  };
}
