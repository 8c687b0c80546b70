import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { MATCHING_FAILURE_SCORE } from "./recall-for-decision";

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
 * Whether the memory is working, over a time range (and optionally one agent). Decision and
 * failure counts come from the metrics rollup, so they trail the actions by one rollup pass.
 * - recalls per decision;
 * - repeated failures: a subject failing again after its negative knowledge existed
 *   (actions.repeated_failure, set when the result is reported);
 * - plan changes after a recall: a decision that was handed negative knowledge and was then not
 *   carried out as proposed (rejected, expired, denied, or run with edited args; one still
 *   waiting for a person is not counted yet),
 *   and that the agent did not propose again unchanged (same tool, action, resource and args)
 *   within PLAN_CHANGE_WINDOW.
 */
export async function learningSignals(db: DbOrTx, range: { from: Date; to: Date; agentId?: string }): Promise<LearningSignals> {
  const agent = (column: string) => (range.agentId ? Prisma.sql`AND ${Prisma.raw(column)} = ${range.agentId}::uuid` : Prisma.empty);
  // Counts of decisions and failures come from the hourly rollup (hours overlapping the range);
  // recalls and warnings from memory_recalls by time, then the warned actions by primary key, so
  // the cost follows the number of warnings, not of actions.
  const [row] = await db.$queryRaw<Record<keyof LearningSignals, number>[]>`
    WITH warned AS (
      SELECT a.* FROM actions a
       WHERE a.id IN (SELECT r.action_id FROM memory_recalls r JOIN memories m ON m.id = r.memory_id
                       WHERE r.at >= ${range.from} AND r.at < ${range.to} ${agent("r.agent_id")}
                         AND r.action_id IS NOT NULL AND m.kind = 'negative_knowledge' AND r.score >= ${MATCHING_FAILURE_SCORE})
    ), hours AS (
      SELECT coalesce(sum(decisions), 0)::int AS decisions, coalesce(sum(failed), 0)::int AS failures, coalesce(sum(repeated_failures), 0)::int AS repeated
        FROM metric_hours WHERE hour >= date_trunc('hour', ${range.from}::timestamptz) AND hour < ${range.to} ${agent("agent_id")}
    )
    SELECT hours.decisions,
           (SELECT count(*) FROM memory_recalls r WHERE r.at >= ${range.from} AND r.at < ${range.to} AND r.action_id IS NOT NULL ${agent("r.agent_id")})::int AS recalls,
           (SELECT count(*) FROM warned)::int AS "warnedDecisions",
           (SELECT count(*) FROM warned a
             WHERE a.status <> 'pending_approval'
               AND NOT (a.status IN ('approved', 'executing', 'succeeded', 'failed', 'rolled_back') AND NOT a.args_edited)
               AND NOT EXISTS (
                 SELECT 1 FROM actions b
                  WHERE b.agent_id = a.agent_id AND b.created_at > a.created_at
                    AND b.created_at < a.created_at + ${PLAN_CHANGE_WINDOW}::interval
                    AND b.tool = a.tool AND b.action = a.action AND b.resource IS NOT DISTINCT FROM a.resource AND b.args = a.args))::int AS "planChanges",
           hours.failures, hours.repeated AS "repeatedFailures"
      FROM hours`;
  return row!;
}
