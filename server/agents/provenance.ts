import type { Tx } from "../db/client";
import { AppError } from "../errors";

type Code = "NOT_FOUND" | "CONFLICT";

function fieldError(code: Code, field: string, message: string): AppError {
  return new AppError(code, `${field}: ${message}`, { details: [{ field, message }] });
}

/**
 * An agent's write may name the action and task it is about (usage, memory), which must be the
 * agent's own: an action it proposed (another agent's is as unknown as a missing one, as on
 * GET /actions/:id), a task it holds or held the lease of, or created. `foreignTask` says how
 * a task that exists but is not the agent's is refused. Returns the task, filled in from the
 * action when only the action is named.
 */
export async function checkAgentProvenance(
  tx: Tx,
  agentId: string,
  named: { taskId: string | null; actionId: string | null },
  foreignTask: Code,
): Promise<string | null> {
  const { taskId, actionId } = named;
  let effectiveTaskId = taskId;
  if (actionId) {
    const [action] = await tx.$queryRaw<{ agent_id: string; task_id: string | null }[]>`
      SELECT agent_id::text, task_id::text FROM actions WHERE id = ${actionId}::uuid`;
    if (!action || action.agent_id !== agentId) throw fieldError("NOT_FOUND", "actionId", "no action of this agent has this id");
    if (taskId && action.task_id && action.task_id !== taskId) {
      throw fieldError("CONFLICT", "actionId", `the action belongs to task ${action.task_id}, not to taskId`);
    }
    effectiveTaskId ??= action.task_id;
  }
  if (taskId) {
    const [task] = await tx.$queryRaw<{ leased_by: string | null; created_by_type: string; created_by_id: string | null }[]>`
      SELECT leased_by::text, created_by_type, created_by_id FROM tasks WHERE id = ${taskId}::uuid`;
    if (!task) throw fieldError("NOT_FOUND", "taskId", "no task has this id");
    const mine = task.leased_by === agentId || (task.created_by_type === "agent" && task.created_by_id === agentId);
    if (!mine) {
      throw foreignTask === "NOT_FOUND"
        ? fieldError("NOT_FOUND", "taskId", "no task of this agent has this id")
        : fieldError("CONFLICT", "taskId", "the task is not leased to this agent, nor created by it");
    }
  }
  return effectiveTaskId;
}

/** A person may cite any action or task, as long as it exists. */
export async function checkProvenanceExists(tx: Tx, named: { taskId: string | null; actionId: string | null }): Promise<void> {
  if (named.actionId && (await tx.action.count({ where: { id: named.actionId } })) === 0) {
    throw fieldError("NOT_FOUND", "actionId", "no action has this id");
  }
  if (named.taskId && (await tx.task.count({ where: { id: named.taskId } })) === 0) {
    throw fieldError("NOT_FOUND", "taskId", "no task has this id");
  }
}
