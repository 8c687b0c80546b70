import type { Task } from "../db/generated/client";
import type { TaskView } from "../schemas/tasks";
import { showableObject, showableObjectOrNull } from "../lib/showable-json";

export function toTaskView(task: Task): TaskView {
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
