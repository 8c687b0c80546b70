import type { AgentActor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx, Tx } from "../db/client";
import type { Prisma, Task } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { addSpend } from "../cost/add-spend";
import { env } from "../env";
import { AppError, notFound } from "../errors";
import { publish } from "../events/bus";
import { ZTaskCompleteRequest, ZTaskFailRequest, ZTaskHeartbeatRequest } from "../schemas/tasks";
import { toTaskView } from "./task-view";

/** The task, locked, if this agent holds its lease; a 409 saying why otherwise. */
async function lockLeasedTask(tx: Tx, agentId: string, taskId: string): Promise<Task> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM tasks WHERE id = ${taskId}::uuid FOR UPDATE`;
  if (rows.length === 0) throw notFound("task", taskId);
  const task = await tx.task.findUniqueOrThrow({ where: { id: taskId } });
  if (task.leasedBy !== agentId || (task.status !== "leased" && task.status !== "running")) {
    throw new AppError("CONFLICT", `The task is ${task.status}${task.leasedBy && task.leasedBy !== agentId ? " and leased to another agent" : ""}: this agent no longer holds its lease`, {
      details: { status: task.status },
    });
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

export async function completeTask(db: DbOrTx, actor: AgentActor, taskId: string, request: { output?: Record<string, unknown>; cost?: number }, origin?: RequestOrigin) {
  const input = ZTaskCompleteRequest.parse(request);
  return inTransaction(db, async (tx) => {
    await lockLeasedTask(tx, actor.id, taskId);
    const task = await tx.task.update({
      where: { id: taskId },
      data: { status: "succeeded", output: (input.output ?? {}) as Prisma.InputJsonObject, costUsd: input.cost ?? null, completedAt: new Date(), leaseExpiresAt: null },
    });
    await recordEvent(tx, task, "succeeded", actor.id);
    if (input.cost) await addSpend(tx, { id: actor.id, name: actor.label, team: actor.team }, input.cost);
    await appendAudit(tx, { actor, verb: "task.complete", subject: { type: "task", id: taskId }, data: { cost: input.cost ?? null, parentId: task.parentId }, origin });
    return toTaskView(task);
  });
}

/**
 * A failure: retried (requeued) while attempts remain and the agent asks for it, else the task
 * fails for good; out of attempts it goes to the dead-letter list with its history.
 */
export async function failTask(db: DbOrTx, actor: AgentActor, taskId: string, request: { error: string; failureReason?: string; retry?: boolean }, origin?: RequestOrigin) {
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
  return inTransaction(db, async (tx) => {
    const expired = await tx.$queryRaw<{ id: string; status: string; capability: string; agent: string | null; attempts: number }[]>`
      UPDATE tasks t SET status = CASE WHEN t.attempts >= t.max_attempts THEN 'dead'::"TaskStatus" ELSE 'queued'::"TaskStatus" END,
             leased_by = CASE WHEN t.attempts >= t.max_attempts THEN t.leased_by ELSE NULL END,
             lease_expires_at = NULL, error = coalesce(t.error, 'lease expired'), updated_at = now()
        FROM (SELECT id, leased_by FROM tasks WHERE status IN ('leased', 'running') AND lease_expires_at < now()
              ORDER BY lease_expires_at LIMIT 500 FOR UPDATE SKIP LOCKED) due
       WHERE t.id = due.id
      RETURNING t.id, t.status::text AS status, t.capability, due.leased_by::text AS agent, t.attempts`;
    for (const row of expired) {
      await tx.taskEvent.create({ data: { taskId: row.id, type: row.status === "dead" ? "dead" : "lease_lost", agentId: row.agent, data: { attempt: row.attempts } } });
      await publish(tx, { type: "task.changed", taskId: row.id, status: row.status, agentId: row.agent });
      if (row.status === "queued") await publish(tx, { type: "task.queued", taskId: row.id, capability: row.capability });
      await appendAudit(tx, { actor: { type: "system", id: null, label: "warden" }, verb: "task.lease_expired", subject: { type: "task", id: row.id }, data: { outcome: row.status, agentId: row.agent } });
    }
    return expired.length;
  });
}
