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
 * Whether the memory is working, over a time range (and optionally one agent):
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
  const agent = range.agentId ? Prisma.sql`AND a.agent_id = ${range.agentId}::uuid` : Prisma.empty;
  const [row] = await db.$queryRaw<Record<keyof LearningSignals, number>[]>`
    WITH scoped AS (
      SELECT a.* FROM actions a WHERE a.created_at >= ${range.from} AND a.created_at < ${range.to} ${agent}
    ), warned AS (
      SELECT a.* FROM scoped a
       WHERE EXISTS (SELECT 1 FROM memory_recalls r JOIN memories m ON m.id = r.memory_id
                      WHERE r.action_id = a.id AND m.kind = 'negative_knowledge' AND r.score >= ${MATCHING_FAILURE_SCORE})
    )
    SELECT (SELECT count(*) FROM scoped)::int AS decisions,
           (SELECT count(*) FROM memory_recalls r JOIN scoped a ON a.id = r.action_id)::int AS recalls,
           (SELECT count(*) FROM warned)::int AS "warnedDecisions",
           (SELECT count(*) FROM warned a
             WHERE a.status <> 'pending_approval'
               AND NOT (a.status IN ('approved', 'executing', 'succeeded', 'failed', 'rolled_back') AND NOT a.args_edited)
               AND NOT EXISTS (
                 SELECT 1 FROM actions b
                  WHERE b.agent_id = a.agent_id AND b.created_at > a.created_at
                    AND b.created_at < a.created_at + ${PLAN_CHANGE_WINDOW}::interval
                    AND b.tool = a.tool AND b.action = a.action AND b.resource IS NOT DISTINCT FROM a.resource AND b.args = a.args))::int AS "planChanges",
           (SELECT count(*) FROM scoped WHERE status = 'failed')::int AS failures,
           (SELECT count(*) FROM scoped WHERE status = 'failed' AND repeated_failure)::int AS "repeatedFailures"`;
  return row!;
}
