import { SYSTEM } from "../auth/actor";
import type { Tx } from "../db/client";
import { changeControl, governingControl, pauseAgentAutomatically } from "../control/change-control";
import { CONTROL_RANK } from "../schemas/control";
import { fireAlert } from "../metrics/alerts";
import { formatUsd } from "../schemas/cost";
import { PERIOD_ADJECTIVE, periodName, type BudgetPeriod } from "./periods";

/** One budget against the spend of its period, compared in SQL on exact decimals. */
export type BudgetStanding = {
  id: string;
  scope: "agent" | "team";
  target: string;
  period: BudgetPeriod;
  limitUsd: number;
  spentUsd: number;
  /** spend reached the limit */
  over: boolean;
  /** spend reached 80% of the limit */
  warn: boolean;
};

export const BUDGET_PAUSE_REASON = "budget";

/**
 * Warns at 80% and pauses at 100%, each once per budget and period. The alert's period key
 * carries the limit too ("2026-11-24@25"): an admin who raises a budget after a pause re-arms
 * it for the new limit, while an operator who resumes the agent without raising it is not
 * overruled by the next event of the same period.
 */
export async function enforceBudget(
  tx: Tx,
  agent: { id: string; name: string; team: string },
  standing: BudgetStanding,
  periodStart: string,
): Promise<"warned" | "exceeded" | null> {
  if (!standing.warn) return null;
  const isTeam = standing.scope === "team";
  const who = isTeam ? `team ${standing.target}` : `agent ${agent.name}`;
  const period = periodName(standing.period, periodStart);
  const base = {
    subject: isTeam ? `team:${standing.target}` : agent.id,
    periodKey: `${period}@${standing.limitUsd}`,
    ...(isTeam ? {} : { agentId: agent.id }),
  };
  const spent = `${formatUsd(standing.spentUsd)} of its ${formatUsd(standing.limitUsd)} ${PERIOD_ADJECTIVE[standing.period]} budget for ${period} (UTC)`;
  if (!standing.over) {
    const percent = Math.floor((standing.spentUsd / standing.limitUsd) * 100);
    const fired = await fireAlert(tx, {
      ...base,
      rule: "budget_warning",
      title: `Budget warning: ${who} has spent ${percent}% of its ${PERIOD_ADJECTIVE[standing.period]} budget`,
      body: `${who} has spent ${spent}; it is paused at 100%.`,
    });
    return fired ? "warned" : null;
  }
  const fired = await fireAlert(tx, {
    ...base,
    rule: "budget_exceeded",
    title: `Budget exceeded: ${who} paused`,
    body: `${who} has spent ${spent} and was paused (reason "budget"). Raise the budget in Settings → Budgets, or resume it from Control.`,
  });
  if (!fired) return null;
  const scope = isTeam ? { kind: "team" as const, key: standing.target } : { kind: "agent" as const, key: agent.id };
  // A pause must never loosen a suspend or a kill an operator already set on the same scope.
  const current = await tx.controlScope.findUnique({ where: { kind_key: scope } });
  if (CONTROL_RANK[(await governingControl(tx, scope)).state] > CONTROL_RANK.paused) return "exceeded";
  if (isTeam) await pauseTeamForBudget(tx, standing.target, standing.id, current);
  else await pauseAgentAutomatically(tx, agent, BUDGET_PAUSE_REASON);
  return "exceeded";
}

/** The team-scope counterpart of pauseAgentAutomatically: audited as the system, once. */
async function pauseTeamForBudget(tx: Tx, team: string, budgetId: string, current: { state: string; reason: string | null } | null): Promise<void> {
  if (current?.state === "paused" && current.reason === BUDGET_PAUSE_REASON) return;
  await changeControl(tx, SYSTEM, {
    scope: { kind: "team", key: team, label: `team ${team}` },
    state: "paused",
    reason: BUDGET_PAUSE_REASON,
    auditData: { automatic: true, budgetId },
  });
}
