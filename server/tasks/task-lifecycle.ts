import type { AgentActor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { Db, DbOrTx, Tx } from "../db/client";
import { sqlRows } from "../db/direct-sql";
import { Prisma, type Task } from "../db/generated/client";
import { inTransaction, isRootClient } from "../db/transaction";
import { addSpend } from "../cost/add-spend";
import { env } from "../env";
import { AppError, notFound } from "../errors";
import { announceAfterCommit, emitLocallyOnCommit, notifyOtherInstancesExpr, publish, type WardenEvent } from "../events/bus";
import { ZTaskCompleteRequest, ZTaskFailRequest, ZTaskHeartbeatRequest } from "../schemas/tasks";
import { TASK_VIEW_COLUMNS, toTaskView, type TaskViewRow } from "./task-view";

/** The task, locked, if this agent holds its lease; a 409 saying why otherwise. */
async function lockLeasedTask(tx: Tx, agentId: string, taskId: string): Promise<Task> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM tasks WHERE id = ${taskId}::uuid FOR UPDATE`;
  if (rows.length === 0) throw notFound("task", taskId);
  const task = await tx.task.findUniqueOrThrow({ where: { id: taskId } });
  if (task.leasedBy !== agentId || (task.status !== "leased" && task.status !== "running")) {
    throw new AppError(
      "CONFLICT",
      `The task is ${task.status}${task.leasedBy && task.leasedBy !== agentId ? " and leased to another agent" : ""}: this agent no longer holds its lease`,
      {
        details: { status: task.status },
      },
    );
  }
  return task;
}

async function recordEvent(tx: Tx, task: Task, type: string, agentId: string | null, data: Prisma.InputJsonObject = {}) {
  await tx.taskEvent.create({ data: { taskId: task.id, type, agentId, data } });
  await publish(tx, { type: "task.changed", taskId: task.id, status: type, agentId });
  // Results roll up: a finished subtask is an event on its parent, which the lead reads.
  if (task.parentId && task.status !== "queued") {
    await tx.taskEvent.create({ data: { taskId: task.parentId, type: `subtask_${task.status}`, agentId, data: { subtaskId: task.id, title: task.title } } });
    await publish(tx, { type: "task.changed", taskId: task.parentId, status: `subtask_${task.status}`, agentId });
  }
}

/** Renews the lease and keeps the checkpoint the agent posts (what a suspended task resumes from). */
export async function heartbeatTask(db: DbOrTx, actor: AgentActor, taskId: string, request: { checkpoint?: Record<string, unknown> }) {
  const input = ZTaskHeartbeatRequest.parse(request);
  return inTransaction(db, async (tx) => {
    await lockLeasedTask(tx, actor.id, taskId);
    const task = await tx.task.update({
      where: { id: taskId },
      data: {
        status: "running",
        leaseExpiresAt: new Date(Date.now() + env.WARDEN_TASK_LEASE_SECONDS * 1000),
        ...(input.checkpoint ? { checkpoint: input.checkpoint as Prisma.InputJsonObject } : {}),
      },
    });
    return { task: toTaskView(task), leaseExpiresAt: task.leaseExpiresAt!.toISOString() };
  });
}

export async function completeTask(
  db: DbOrTx,
  actor: AgentActor,
  taskId: string,
  request: { output?: Record<string, unknown>; cost?: number },
  origin?: RequestOrigin,
) {
  const input = ZTaskCompleteRequest.parse(request);
  // Without a cost to book against budgets (the common case), one statement does it all.
  if (!input.cost && isRootClient(db)) return completeInOneStatement(db, actor, taskId, input.output ?? {}, origin);
  return inTransaction(db, async (tx) => {
    await lockLeasedTask(tx, actor.id, taskId);
    const task = await tx.task.update({
      where: { id: taskId },
      data: {
        status: "succeeded",
        output: (input.output ?? {}) as Prisma.InputJsonObject,
        costUsd: input.cost ?? null,
        completedAt: new Date(),
        leaseExpiresAt: null,
      },
    });
    await recordEvent(tx, task, "succeeded", actor.id);
    if (input.cost) await addSpend(tx, { id: actor.id, name: actor.label, team: actor.team }, input.cost);
    await appendAudit(tx, {
      actor,
      verb: "task.complete",
      subject: { type: "task", id: taskId },
      data: { cost: input.cost ?? null, parentId: task.parentId },
      origin,
    });
    return toTaskView(task);
  });
}

type CompletedRow = TaskViewRow & { parentId: string | null };

/**
 * The completion as one statement: the task (only while this agent holds its lease), its event
 * and its parent's and the audit row, in one round trip; the bus events follow the commit.
 * When no row matched, the transactional check says why (404 or 409), writing nothing.
 */
async function completeInOneStatement(db: Db, actor: AgentActor, taskId: string, output: Record<string, unknown>, origin?: RequestOrigin) {
  const [task] = await sqlRows<CompletedRow>(
    db,
    Prisma.sql`
    WITH done AS (
      UPDATE tasks SET status = 'succeeded', output = ${JSON.stringify(output)}::jsonb, cost_usd = NULL, completed_at = now(),
             lease_expires_at = NULL, updated_at = now()
       WHERE id = ${taskId}::uuid AND leased_by = ${actor.id}::uuid AND status IN ('leased', 'running')
      RETURNING ${TASK_VIEW_COLUMNS}
    ), event AS (
      INSERT INTO task_events (task_id, type, agent_id, data) SELECT id, 'succeeded', ${actor.id}::uuid, '{}'::jsonb FROM done
    ), parent_event AS (
      INSERT INTO task_events (task_id, type, agent_id, data)
      SELECT "parentId", 'subtask_succeeded', ${actor.id}::uuid, jsonb_build_object('subtaskId', id, 'title', title) FROM done WHERE "parentId" IS NOT NULL
    ), audit AS (
      INSERT INTO audit_log (actor_type, actor_id, actor_label, verb, subject_type, subject_id, data, ip)
      SELECT 'agent', ${actor.id}, ${actor.label}, 'task.complete', 'task', id::text, jsonb_build_object('cost', NULL, 'parentId', "parentId"), ${origin?.ip ?? null} FROM done
    )
    SELECT * FROM done`,
  );
  if (!task) {
    // Nothing matched: the same check as the transactional path, to answer why.
    await inTransaction(db, (tx) => lockLeasedTask(tx, actor.id, taskId));
    throw new AppError("CONFLICT", "The task changed while completing it; read it and retry");
  }
  const events: WardenEvent[] = [{ type: "task.changed", taskId: task.id, status: "succeeded", agentId: actor.id }];
  if (task.parentId) events.push({ type: "task.changed", taskId: task.parentId, status: "subtask_succeeded", agentId: actor.id });
  announceAfterCommit(db, events);
  return toTaskView(task);
}

/**
 * A failure: retried (requeued) while attempts remain and the agent asks for it, else the task
 * fails for good; out of attempts it goes to the dead-letter list with its history.
 */
export async function failTask(
  db: DbOrTx,
  actor: AgentActor,
  taskId: string,
  request: { error: string; failureReason?: string; retry?: boolean },
  origin?: RequestOrigin,
) {
  const input = ZTaskFailRequest.parse(request);
  return inTransaction(db, async (tx) => {
    const current = await lockLeasedTask(tx, actor.id, taskId);
    const status = !input.retry ? "failed" : current.attempts >= current.maxAttempts ? "dead" : "queued";
    const task = await tx.task.update({
      where: { id: taskId },
      data: {
        status,
        error: input.error,
        failureReason: input.failureReason ?? null,
        leasedBy: status === "queued" ? null : current.leasedBy,
        leaseExpiresAt: null,
        completedAt: status === "queued" ? null : new Date(),
      },
    });
    await recordEvent(tx, task, status === "queued" ? "requeued" : status, actor.id, { error: input.error, attempt: current.attempts });
    if (status === "queued") await publish(tx, { type: "task.queued", taskId, capability: task.capability });
    await appendAudit(tx, {
      actor,
      verb: "task.fail",
      subject: { type: "task", id: taskId },
      data: { error: input.error, failureReason: input.failureReason ?? null, outcome: status, attempt: current.attempts },
      origin,
    });
    return toTaskView(task);
  });
}

/**
 * The sweep every instance runs: a lease that expired (the agent stopped heartbeating) requeues
 * its task, or sends it to the dead-letter list when its attempts are spent.
 */
export async function expireLeases(db: DbOrTx): Promise<number> {
  // One statement per batch of 500: the requeue or dead-letter, each task's event, its audit
  // row and the notifications, so a sweep after an outage does not hold a transaction open
  // for thousands of round trips.
  const changed = notifyOtherInstancesExpr(Prisma.sql`json_build_object('type', 'task.changed', 'taskId', id, 'status', status, 'agentId', agent)`);
  const queued = notifyOtherInstancesExpr(Prisma.sql`json_build_object('type', 'task.queued', 'taskId', id, 'capability', capability)`);
  const expired = await db.$queryRaw<{ id: string; status: string; capability: string; agent: string | null }[]>`
    WITH expired AS (
      UPDATE tasks t SET status = CASE WHEN t.attempts >= t.max_attempts THEN 'dead'::"TaskStatus" ELSE 'queued'::"TaskStatus" END,
             leased_by = CASE WHEN t.attempts >= t.max_attempts THEN t.leased_by ELSE NULL END,
             lease_expires_at = NULL, error = coalesce(t.error, 'lease expired'), updated_at = now()
        FROM (SELECT id, leased_by FROM tasks WHERE status IN ('leased', 'running') AND lease_expires_at < now()
              ORDER BY lease_expires_at LIMIT 500 FOR UPDATE SKIP LOCKED) due
       WHERE t.id = due.id
      RETURNING t.id, t.status::text AS status, t.capability, due.leased_by::text AS agent, t.attempts
    ), events AS (
      INSERT INTO task_events (task_id, type, agent_id, data)
      SELECT id, CASE WHEN status = 'dead' THEN 'dead' ELSE 'lease_lost' END, agent::uuid, jsonb_build_object('attempt', attempts) FROM expired
    ), audit AS (
      INSERT INTO audit_log (actor_type, actor_id, actor_label, verb, subject_type, subject_id, data)
      SELECT 'system', NULL, 'warden', 'task.lease_expired', 'task', id::text, jsonb_build_object('outcome', status, 'agentId', agent) FROM expired
    ), notified AS (
      SELECT ${changed}, CASE WHEN status = 'queued' THEN ${queued} END FROM expired
    )
    SELECT id::text AS id, status, capability, agent FROM expired LEFT JOIN notified ON true`;
  emitLocallyOnCommit(
    db,
    expired.flatMap((row): WardenEvent[] => [
      { type: "task.changed", taskId: row.id, status: row.status, agentId: row.agent },
      ...(row.status === "queued" ? [{ type: "task.queued" as const, taskId: row.id, capability: row.capability }] : []),
    ]),
  );
  return expired.length;
}
