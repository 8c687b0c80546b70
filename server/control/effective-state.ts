import type { DbOrTx } from "../db/client";
import { sqlRows } from "../db/direct-sql";
import { Prisma, type ControlLevel } from "../db/generated/client";

export type EffectiveControl = { state: ControlLevel; epoch: number; reason: string | null };

/** Suspended or killed: nothing of the agent's may run (a pause still lets work under way finish). */
export function isStopped(state: ControlLevel): boolean {
  return state === "suspended" || state === "killed";
}

/**
 * The strictest control state over the agent's scopes (fleet, team, agent), from the
 * agent_control view, read fresh. What reads a cached copy (an authenticated principal's) checks
 * it in its own statement, so a suspend applies from the very next request on every instance.
 */
export async function getEffectiveControl(db: DbOrTx, agentId: string): Promise<EffectiveControl> {
  const [row] = await sqlRows<{ state: ControlLevel; reason: string | null; epoch: bigint }>(
    db,
    Prisma.sql`
    SELECT state::text AS state, reason, epoch FROM agent_control WHERE agent_id = ${agentId}::uuid`,
  );
  return { state: row?.state ?? "running", reason: row?.reason ?? null, epoch: Number(row?.epoch ?? 0) };
}
