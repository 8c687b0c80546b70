import { Prisma, type Task } from "../db/generated/client";
import type { TaskView } from "../schemas/tasks";
import { showableObject, showableObjectOrNull } from "../lib/showable-json";

/** The columns a task's view reads (a claim returns just these from its one statement). */
export type TaskViewRow = Pick<
  Task,
  | "id"
  | "title"
  | "capability"
  | "priority"
  | "payload"
  | "dedupeKey"
  | "parentId"
  | "deadline"
  | "status"
  | "leasedBy"
  | "leaseExpiresAt"
  | "attempts"
  | "maxAttempts"
  | "checkpoint"
  | "output"
  | "error"
  | "createdByLabel"
  | "createdAt"
>;

/** Those columns as a RETURNING list, named as Prisma names them (for raw statements). */
export const TASK_VIEW_COLUMNS = Prisma.raw(
  `id, title, capability, priority, payload, dedupe_key AS "dedupeKey", parent_id AS "parentId", deadline, status::text AS status,
   leased_by AS "leasedBy", lease_expires_at AS "leaseExpiresAt", attempts, max_attempts AS "maxAttempts", checkpoint, output,
   error, created_by_label AS "createdByLabel", created_at AS "createdAt"`,
);

export function toTaskView(task: TaskViewRow): TaskView {
  return {
    id: task.id,
    title: task.title,
    capability: task.capability,
    priority: task.priority,
    payload: showableObject(task.payload),
    dedupeKey: task.dedupeKey,
    parentId: task.parentId,
    deadline: task.deadline?.toISOString() ?? null,
    status: task.status,
    leasedBy: task.leasedBy,
    leaseExpiresAt: task.leaseExpiresAt?.toISOString() ?? null,
    attempts: task.attempts,
    maxAttempts: task.maxAttempts,
    checkpoint: showableObjectOrNull(task.checkpoint),
    output: showableObjectOrNull(task.output),
    error: task.error,
    createdBy: task.createdByLabel,
    createdAt: task.createdAt.toISOString(),
  };
}
