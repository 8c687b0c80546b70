import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { rollupRange } from "../metrics/rollup-range";

/** How long after a recall an unchanged re-proposal still counts as "the plan did not change". */
export const PLAN_CHANGE_WINDOW = "1 hour";

export type LearningSignals = {
  decisions: number;
  recalls: number;
  /** decisions handed negative knowledge close enough to count as "this failed before" */
  warnedDecisions: number;
  /** of those, the ones where the agent changed its plan (see learningSignals) */
  planChanges: number;
  failures: number;
  /** failures on a subject that already had live negative knowledge */
  repeatedFailures: number;
};

/**
 * Whether the memory is working, over a time range (one agent, one team, or the fleet), read
 * from the metrics rollup (server/metrics/rollup-actions.ts computes the per-action signals), so
 * they trail the actions by one rollup pass (3 s):
 * - recalls per decision;
 * - repeated failures: a subject failing again after its negative knowledge existed
 *   (actions.repeated_failure, set when the result is reported);
 * - plan changes after a recall: a decision that was handed negative knowledge and was then not
 *   carried out as proposed (rejected, expired, denied, or run with edited args; one still
 *   waiting for a person is not counted yet),
 *   and that the agent did not propose again unchanged (same tool, action, resource and args)
 *   within PLAN_CHANGE_WINDOW.
 */
export async function learningSignals(db: DbOrTx, range: { from: Date; to: Date; agentId?: string; team?: string }): Promise<LearningSignals> {
  const scope = range.agentId
    ? Prisma.sql`AND agent_id = ${range.agentId}::uuid`
    : range.team
      ? Prisma.sql`AND agent_id IN (SELECT id FROM agents WHERE team = ${range.team})`
      : Prisma.empty;
  const rollup = rollupRange(range.from, range.to);
  const [row] = await db.$queryRaw<LearningSignals[]>`
    SELECT coalesce(sum(decisions), 0)::int AS decisions, coalesce(sum(recalls), 0)::int AS recalls,
           coalesce(sum(warned), 0)::int AS "warnedDecisions", coalesce(sum(plan_changes), 0)::int AS "planChanges",
           coalesce(sum(failed), 0)::int AS failures, coalesce(sum(repeated_failures), 0)::int AS "repeatedFailures"
      FROM ${rollup.table} WHERE ${rollup.where} ${scope}`;
  return row!;
}
