import type { Task } from "../db/generated/client";
import type { TaskView } from "../schemas/tasks";

export function toTaskView(task: Task): TaskView {
  return {
    id: task.id,
    title: task.title,
    capability: task.capability,
    priority: task.priority,
    payload: task.payload as Record<string, unknown>,
    dedupeKey: task.dedupeKey,
    parentId: task.parentId,
    deadline: task.deadline?.toISOString() ?? null,
    status: task.status,
    leasedBy: task.leasedBy,
    leaseExpiresAt: task.leaseExpiresAt?.toISOString() ?? null,
    attempts: task.attempts,
    maxAttempts: task.maxAttempts,
    checkpoint: (task.checkpoint as Record<string, unknown> | null) ?? null,
    output: (task.output as Record<string, unknown> | null) ?? null,
    error: task.error,
    createdBy: task.createdByLabel,
    createdAt: task.createdAt.toISOString(),
  };
}
