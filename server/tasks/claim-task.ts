import { getEffectiveControl, type EffectiveControl } from "../control/effective-state";
import type { DbOrTx } from "../db/client";
import type { Agent, Task } from "../db/generated/client";
import { env } from "../env";
import { AppError } from "../errors";
import { emitLocallyOnCommit, waitForEvent } from "../events/bus";
import type { TaskView } from "../schemas/tasks";
import { toTaskView } from "./task-view";

/**
 * One claim: the head of the agent's capability queues (highest priority, then arrival),
 * leased to it, with its task event and audit row, as one statement. SKIP LOCKED lets
 * concurrent claimers take different tasks and never the same one.
 */
async function claimOnce(db: DbOrTx, agent: Agent): Promise<Task | null> {
  const leaseSeconds = env.WARDEN_TASK_LEASE_SECONDS;
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH claimed AS (
      UPDATE tasks t SET status = 'leased', leased_by = ${agent.id}::uuid, attempts = t.attempts + 1,
             lease_expires_at = now() + make_interval(secs => ${leaseSeconds}), started_at = coalesce(t.started_at, now()), updated_at = now()
       WHERE t.id = (
         SELECT id FROM tasks
          WHERE status = 'queued' AND capability = ANY(${agent.capabilities}::text[])
          ORDER BY priority DESC, queue_seq
          LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING t.id, t.attempts, t.capability
    ), event AS (
      INSERT INTO task_events (task_id, type, agent_id, data)
      SELECT id, 'claimed', ${agent.id}::uuid, jsonb_build_object('attempt', attempts) FROM claimed
    ), audit AS (
      INSERT INTO audit_log (actor_type, actor_id, actor_label, verb, subject_type, subject_id, data)
      SELECT 'agent', ${agent.id}, ${agent.name}, 'task.claim', 'task', id::text, jsonb_build_object('capability', capability, 'attempt', attempts) FROM claimed
    )
    SELECT id FROM claimed`;
  if (rows.length === 0) return null;
  return db.task.findUniqueOrThrow({ where: { id: rows[0]!.id } });
}

/**
 * POST /api/v1/tasks/claim: a task the agent can serve, or null. Paused, suspended and killed
 * agents get nothing; a lead never claims (it delegates). With `waitSeconds` it long-polls,
 * sleeping on the event bus until a task of one of its capabilities is queued.
 */
export async function claimTask(
  db: DbOrTx,
  { agent, control }: { agent: Agent; control: EffectiveControl },
  waitSeconds: number,
  signal?: AbortSignal,
): Promise<{ task: TaskView; leaseExpiresAt: string } | null> {
  if (agent.role === "lead") throw new AppError("FORBIDDEN", "A lead agent delegates work to specialists; it does not claim it");
  if (control.state !== "running" || agent.capabilities.length === 0) return null;
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const task = await claimOnce(db, agent);
    if (task) {
      emitLocallyOnCommit(db, [{ type: "task.changed", taskId: task.id, status: task.status, agentId: agent.id }]);
      return { task: toTaskView(task), leaseExpiresAt: task.leaseExpiresAt!.toISOString() };
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0 || signal?.aborted) return null;
    const capabilities = new Set(agent.capabilities);
    await waitForEvent((e) => e.type === "task.queued" && capabilities.has(e.capability), remaining, signal);
    // A pause may have arrived while this claim waited.
    if ((await getEffectiveControl(db, agent.id)).state !== "running") return null;
  }
}
