import type { DbOrTx } from "../db/client";
import { countInWindow, refundPoint } from "../lib/rate-limit";
import type { PolicyDocument } from "../schemas/policy";
import { compiledRulesOf } from "./compiled-rules";
import { decisionTime } from "./decision-clock";
import { loadToolFailures, type RecentCounts } from "./rule-context";
import type { CountNeeds } from "./rule-expressions";

/** The agent's proposals counted for `agent.actionsLastMinute` (lib/rate-limit.ts's atomic counter). */
const AGENT_ACTIONS = "rule:agent-actions";
const MINUTE = 60;

export type RuleInputs = {
  now: Date;
  counts?: RecentCounts;
  /** Takes back this proposal's count when it records no action (a repeat, a decision made again). */
  uncount: () => Promise<void>;
};

/**
 * The counts this proposal needs: those named by a rule of any of the documents (the policy in
 * force, and the running shadow's draft) that can apply to it. A rule guarded by
 * `agent.name == "x"` needs nothing for another agent. The tool's failures are needed only when
 * such a rule can apply to this tool too (`tool.name == "x"` guards), while the agent's count is
 * needed whatever the tool: it counts all of the agent's proposals, so every one must be counted.
 */
export function countsNeeded(documents: readonly (PolicyDocument | null | undefined)[], at: { agentName: string; tool: string | null }): CountNeeds {
  const needs: CountNeeds = { agentActionsLastMinute: false, toolFailuresLastDay: false };
  for (const document of documents) {
    if (!document || document.rules.length === 0) continue;
    const compiled = compiledRulesOf(document);
    if (!compiled.needs.agentActionsLastMinute && !compiled.needs.toolFailuresLastDay) continue;
    for (const { condition } of compiled.rules) {
      const { guard } = condition;
      if (guard.agent !== undefined && guard.agent !== at.agentName) continue;
      needs.agentActionsLastMinute ||= condition.needs.agentActionsLastMinute;
      if (guard.tool === undefined || guard.tool === at.tool) needs.toolFailuresLastDay ||= condition.needs.toolFailuresLastDay;
    }
  }
  return needs;
}

/**
 * What a live decision adds for the rules beyond the proposal itself: the time, and the recent
 * counts the rules that can apply name. A policy without rules, or whose rules name no count,
 * costs no query here.
 *
 * `agent.actionsLastMinute` is an atomic counter (the tools' rate limits' own, one upsert), not a
 * count of rows: a burst of concurrent proposals each gets its own number, so a rule's limit
 * holds for the proposals past it, not for none of them. Its window is a fixed minute from the
 * agent's first counted proposal.
 */
export async function ruleInputs(
  db: DbOrTx,
  documents: readonly (PolicyDocument | null | undefined)[],
  at: { agentId: string; agentName: string; tool: string | null },
): Promise<RuleInputs> {
  const now = decisionTime();
  const needs = countsNeeded(documents, at);
  if (!needs.agentActionsLastMinute && !needs.toolFailuresLastDay) return { now, uncount: async () => {} };
  const [actions, failures] = await Promise.all([
    needs.agentActionsLastMinute ? countInWindow(AGENT_ACTIONS, MINUTE, at.agentId) : Promise.resolve(undefined),
    needs.toolFailuresLastDay && at.tool !== null ? loadToolFailures(db, at.tool) : Promise.resolve(undefined),
  ]);
  let point = actions?.point ?? null;
  return {
    now,
    counts: { agentActionsLastMinute: actions?.count, toolFailuresLastDay: failures },
    uncount: async () => {
      if (!point) return;
      const taken = point;
      point = null;
      await refundPoint(taken);
    },
  };
}
