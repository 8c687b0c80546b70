import { getEffectiveControl, type EffectiveControl } from "../control/effective-state";
import type { DbOrTx } from "../db/client";
import { sqlExecute, sqlRows } from "../db/direct-sql";
import { Prisma, type Agent } from "../db/generated/client";
import { env } from "../env";
import { AppError, invalidField } from "../errors";
import { emitLocallyOnCommit, waitForEvent } from "../events/bus";
import { untilShutdown } from "../lifecycle/shutdown";
import { consumeRateLimit } from "../lib/rate-limit";
import { getCurrentPolicy } from "../policy/current-policy";
import type { TaskView } from "../schemas/tasks";
import { TASK_VIEW_COLUMNS, toTaskView, type TaskViewRow } from "./task-view";

/**
 * One claim: the head of the agent's capability queues (highest priority, then arrival),
 * leased to it, with its task event and audit row, as one statement that also returns the
 * task. SKIP LOCKED lets concurrent claimers take different tasks and never the same one. The
 * agent's control state is checked and returned by the same statement: the state the request
 * came with may be a second old (the principal cache), and a paused agent must not take work.
 */
async function claimOnce(db: DbOrTx, agent: Agent, capabilities: string[]): Promise<{ task: TaskViewRow | null; running: boolean }> {
  const leaseSeconds = env.WARDEN_TASK_LEASE_SECONDS;
  const rows = await sqlRows<TaskViewRow & { controlState: string }>(
    db,
    Prisma.sql`
    WITH claimed AS (
      UPDATE tasks t SET status = 'leased', leased_by = ${agent.id}::uuid, attempts = t.attempts + 1,
             lease_expires_at = now() + make_interval(secs => ${leaseSeconds}), started_at = coalesce(t.started_at, now()), updated_at = now()
       WHERE t.id = (
         -- The head of each capability's queue straight from its index (one short scan each),
         -- then the best of those heads.
         SELECT head.id FROM unnest(${capabilities}::text[]) AS c(capability)
          CROSS JOIN LATERAL (
            SELECT id, priority, queue_seq FROM tasks
             WHERE status = 'queued' AND capability = c.capability
             ORDER BY priority DESC, queue_seq
             LIMIT 1 FOR UPDATE SKIP LOCKED) head
          ORDER BY head.priority DESC, head.queue_seq
          LIMIT 1)
         AND EXISTS (SELECT 1 FROM agent_control WHERE agent_id = ${agent.id}::uuid AND state = 'running')
      RETURNING ${TASK_VIEW_COLUMNS}
    ), event AS (
      INSERT INTO task_events (task_id, type, agent_id, data)
      SELECT id, 'claimed', ${agent.id}::uuid, jsonb_build_object('attempt', attempts) FROM claimed
    ), audit AS (
      INSERT INTO audit_log (actor_type, actor_id, actor_label, verb, subject_type, subject_id, data)
      SELECT 'agent', ${agent.id}, ${agent.name}, 'task.claim', 'task', id::text, jsonb_build_object('capability', capability, 'attempt', attempts) FROM claimed
    )
    SELECT claimed.*, (SELECT state::text FROM agent_control WHERE agent_id = ${agent.id}::uuid) AS "controlState"
      FROM (SELECT 1) AS one LEFT JOIN claimed ON true`,
  );
  const { controlState, ...task } = rows[0]!;
  return { task: task.id ? task : null, running: controlState === "running" };
}

/** Puts a just-claimed task back at its place in the queue, as if it had not been claimed. */
async function releaseClaim(db: DbOrTx, taskId: string, agentId: string, why: string): Promise<void> {
  await sqlExecute(
    db,
    Prisma.sql`
    WITH released AS (
      UPDATE tasks SET status = 'queued', leased_by = NULL, lease_expires_at = NULL, attempts = attempts - 1, updated_at = now()
       WHERE id = ${taskId}::uuid AND leased_by = ${agentId}::uuid AND status = 'leased'
      RETURNING id)
    INSERT INTO task_events (task_id, type, agent_id, data) SELECT id, 'released', ${agentId}::uuid, jsonb_build_object('why', ${why}::text) FROM released`,
  );
}

/**
 * POST /api/v1/tasks/claim: a task the agent can serve, or null. Paused, suspended and killed
 * agents get nothing; a lead never claims (it delegates). With `waitSeconds` it long-polls,
 * sleeping on the event bus until a task of one of its capabilities is queued. `only` narrows
 * the claim to some of the agent's capabilities (the SDK runs one worker per capability).
 */
export async function claimTask(
  db: DbOrTx,
  { agent, control }: { agent: Agent; control: EffectiveControl },
  waitSeconds: number,
  requestSignal?: AbortSignal,
  only?: string[],
): Promise<{ task: TaskView; leaseExpiresAt: string } | null> {
  // A server that is stopping stops waiting for work (the agent claims again elsewhere).
  const signal = untilShutdown(requestSignal);
  if (agent.role === "lead") throw new AppError("FORBIDDEN", "A lead agent delegates work to specialists; it does not claim it");
  const foreign = only?.filter((c) => !agent.capabilities.includes(c)) ?? [];
  if (foreign.length > 0)
    throw invalidField("capabilities", `${foreign.join(", ")} ${foreign.length === 1 ? "is not a capability" : "are not capabilities"} of this agent`);
  const served = only ? agent.capabilities.filter((c) => only.includes(c)) : agent.capabilities;
  if (served.length === 0) return null;
  // The state the request came with may be a second old (the principal cache): a "not running"
  // one is read again before it turns the agent away; a "running" one is checked by the claim.
  if (control.state !== "running" && (await getEffectiveControl(db, agent.id)).state !== "running") return null;
  const deadline = Date.now() + waitSeconds * 1000;
  const { claimLimits } = (await getCurrentPolicy(db)).document;
  const exhausted = new Set<string>();
  const capabilities = new Set(served);
  for (;;) {
    // Listen before looking, so a task queued in between still wakes this claim.
    const stopListening = new AbortController();
    signal?.addEventListener("abort", () => stopListening.abort(), { once: true });
    const queued = waitForEvent((e) => e.type === "task.queued" && capabilities.has(e.capability), Math.max(0, deadline - Date.now()), stopListening.signal);
    const eligible = served.filter((c) => !exhausted.has(c));
    const claim = eligible.length > 0 ? await claimOnce(db, agent, eligible) : null;
    if (claim && !claim.running) {
      // Paused, suspended or killed since the request's state was read: nothing, at once.
      stopListening.abort();
      return null;
    }
    const task = claim?.task ?? null;
    if (task) {
      stopListening.abort();
      // The dispatch limits count handed-out tasks: over a limit, the task goes back untouched.
      const capabilityLimit = claimLimits.perCapability[task.capability];
      if (capabilityLimit && !(await consumeRateLimit("claim:capability", capabilityLimit, task.capability)).allowed) {
        await releaseClaim(db, task.id, agent.id, "capability rate limit");
        exhausted.add(task.capability);
        continue;
      }
      if (claimLimits.perAgent) {
        const limited = await consumeRateLimit("claim:agent", claimLimits.perAgent, agent.id);
        if (!limited.allowed) {
          await releaseClaim(db, task.id, agent.id, "agent rate limit");
          throw new AppError("TOO_MANY_REQUESTS", `This agent may claim ${claimLimits.perAgent}; retry in ${limited.retryAfterSeconds} s`, {
            retryAfterSeconds: limited.retryAfterSeconds,
          });
        }
      }
      emitLocallyOnCommit(db, [{ type: "task.changed", taskId: task.id, status: task.status, agentId: agent.id }]);
      return { task: toTaskView(task), leaseExpiresAt: task.leaseExpiresAt!.toISOString() };
    }
    if (deadline - Date.now() <= 0 || signal?.aborted) {
      stopListening.abort();
      return null;
    }
    await queued;
    // A pause may have arrived while this claim waited.
    if ((await getEffectiveControl(db, agent.id)).state !== "running") return null;
  }
}
