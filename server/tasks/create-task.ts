import type { Actor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { env } from "../env";
import { invalidField } from "../errors";
import { publish } from "../events/bus";
import { UNFINISHED_TASK_STATUSES } from "../schemas/enums";
import { ZCreateTaskRequest, type CreateTaskRequest, type TaskView } from "../schemas/tasks";
import { toTaskView } from "./task-view";
import { ADVISORY_LOCKS } from "../db/advisory-locks";

/**
 * Queues a task. A dedupe key repeated while its task is unfinished (and younger than the
 * window) returns that task instead (`created: false`); the key's advisory lock makes two
 * concurrent creates agree on one task.
 */
export async function createTask(db: DbOrTx, actor: Actor, request: CreateTaskRequest, origin?: RequestOrigin): Promise<{ task: TaskView; created: boolean }> {
  const input = ZCreateTaskRequest.parse(request);
  return inTransaction(db, async (tx) => {
    if (input.dedupeKey) {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.taskDedupe}, hashtext(${input.dedupeKey}))`;
      const existing = await tx.task.findFirst({
        where: {
          dedupeKey: input.dedupeKey,
          status: { in: [...UNFINISHED_TASK_STATUSES] },
          createdAt: { gt: new Date(Date.now() - env.WARDEN_TASK_DEDUPE_WINDOW_SECONDS * 1000) },
        },
        orderBy: { createdAt: "desc" },
      });
      if (existing) return { task: toTaskView(existing), created: false };
    }
    if (input.parentId && !(await tx.task.findUnique({ where: { id: input.parentId }, select: { id: true } }))) {
      throw invalidField("parentId", "no task has this id");
    }
    const task = await tx.task.create({
      data: {
        title: input.title,
        capability: input.capability,
        priority: input.priority,
        payload: input.payload as Prisma.InputJsonObject,
        dedupeKey: input.dedupeKey ?? null,
        parentId: input.parentId ?? null,
        deadline: input.deadline ? new Date(input.deadline) : null,
        maxAttempts: input.maxAttempts ?? env.WARDEN_TASK_MAX_ATTEMPTS,
        createdByType: actor.type,
        createdById: actor.id,
        createdByLabel: actor.label,
      },
    });
    await tx.taskEvent.create({ data: { taskId: task.id, type: "queued", data: { by: actor.label } } });
    await publish(tx, { type: "task.queued", taskId: task.id, capability: task.capability });
    await appendAudit(tx, {
      actor,
      verb: "task.create",
      subject: { type: "task", id: task.id },
      data: { title: task.title, capability: task.capability, priority: task.priority, parentId: task.parentId, dedupeKey: task.dedupeKey },
      origin,
    });
    return { task: toTaskView(task), created: true };
  });
}
