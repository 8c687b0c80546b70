import type { Tx } from "../db/client";
import type { ControlLevel } from "../db/generated/client";
import { publish } from "../events/bus";
import { agentsInScopeSql, type Scope } from "../control/scope";

/**
 * What a control change does to the work in scope: suspend parks leased tasks as `suspended`
 * with their last checkpoint; resume puts them back in the queue to continue from it; kill
 * cancels them. A pause leaves running work alone (claims stop in claimTask).
 */
export async function applyControlToTasks(tx: Tx, scope: Scope, state: ControlLevel): Promise<number> {
  const inScope = agentsInScopeSql(scope);
  let changed: { id: string; capability: string; status: string }[] = [];
  if (state === "suspended") {
    changed = await tx.$queryRaw`
      UPDATE tasks t SET status = 'suspended', lease_expires_at = NULL, updated_at = now()
        FROM agents a WHERE a.id = t.leased_by AND t.status IN ('leased', 'running') AND ${inScope}
      RETURNING t.id, t.capability, 'suspended' AS status`;
  } else if (state === "running") {
    changed = await tx.$queryRaw`
      UPDATE tasks t SET status = 'queued', leased_by = NULL, updated_at = now()
        FROM agents a WHERE a.id = t.leased_by AND t.status = 'suspended' AND ${inScope}
      RETURNING t.id, t.capability, 'queued' AS status`;
  } else if (state === "killed") {
    changed = await tx.$queryRaw`
      UPDATE tasks t SET status = 'cancelled', lease_expires_at = NULL, completed_at = now(), updated_at = now()
        FROM agents a WHERE a.id = t.leased_by AND t.status IN ('leased', 'running', 'suspended') AND ${inScope}
      RETURNING t.id, t.capability, 'cancelled' AS status`;
  }
  if (changed.length > 0) {
    await tx.$executeRaw`
      INSERT INTO task_events (task_id, type, data)
      SELECT id, ${changed[0]!.status}, jsonb_build_object('control', ${state}::text) FROM unnest(${changed.map((c) => c.id)}::uuid[]) AS id`;
  }
  for (const task of changed) {
    await publish(tx, { type: "task.changed", taskId: task.id, status: task.status, agentId: null });
    if (task.status === "queued") await publish(tx, { type: "task.queued", taskId: task.id, capability: task.capability });
  }
  return changed.length;
}
