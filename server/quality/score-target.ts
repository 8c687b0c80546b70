import type { DbOrTx } from "../db/client";
import { notFound } from "../errors";

export type ResolvedTarget = { taskId: string | null; actionId: string | null; agentId: string | null };

/**
 * The task or action a score is about, and the agent whose work it is: an action's agent, or
 * the task's assignee (the lease holder, kept once the task is done). A task that went back to
 * the queue has no lease holder, so it falls back to the last agent its history names (a claim
 * put back at once, `released`, is not work); a task nobody ever claimed belongs to no agent
 * yet (agentId null).
 */
export async function resolveScoreTarget(db: DbOrTx, target: { taskId?: string; actionId?: string }): Promise<ResolvedTarget> {
  if (target.actionId) {
    const action = await db.action.findUnique({ where: { id: target.actionId }, select: { agentId: true } });
    if (!action) throw notFound("action", target.actionId);
    return { taskId: null, actionId: target.actionId, agentId: action.agentId };
  }
  const taskId = target.taskId!;
  const [task] = await db.$queryRaw<{ agent_id: string | null }[]>`
    SELECT COALESCE(t.leased_by,
             (SELECT e.agent_id FROM task_events e WHERE e.task_id = t.id AND e.agent_id IS NOT NULL AND e.type <> 'released' ORDER BY e.id DESC LIMIT 1)
           )::text AS agent_id
      FROM tasks t WHERE t.id = ${taskId}::uuid`;
  if (!task) throw notFound("task", taskId);
  return { taskId, actionId: null, agentId: task.agent_id };
}
