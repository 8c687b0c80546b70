import type { DbOrTx } from "../db/client";
import type { PolicyDocument } from "../schemas/policy";
import { compiledRulesOf } from "./compiled-rules";
import { decisionTime } from "./decision-clock";
import { loadRecentCounts, type RecentCounts } from "./rule-context";

/**
 * What a live decision adds for the rules beyond the proposal itself: the time, and the recent
 * counts the policy's rules name. A policy without rules, or whose rules name no count, costs
 * no query here.
 */
export async function ruleInputs(
  db: DbOrTx,
  document: PolicyDocument,
  at: { agentId: string; tool: string | null },
): Promise<{ now: Date; counts?: RecentCounts }> {
  const now = decisionTime();
  if (document.rules.length === 0) return { now };
  const { needs } = compiledRulesOf(document);
  if (!needs.agentActionsLastMinute && !needs.toolFailuresLastDay) return { now };
  return { now, counts: await loadRecentCounts(db, needs, at) };
}
