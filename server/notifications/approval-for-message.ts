import { ACTION_VIEW_INCLUDE, toActionView } from "../actions/action-view";
import type { DbOrTx } from "../db/client";
import { summarizeApproval, type ApprovalSummary } from "./approval-summary";
import { consoleBaseUrl } from "./channels";

/**
 * An approval request as it stands now, for a message about it. Messages are rendered when sent,
 * not when queued: a request decided before its Slack post went out is posted as decided.
 */
export async function loadApprovalSummary(db: DbOrTx, actionId: string): Promise<ApprovalSummary | null> {
  const action = await db.action.findUnique({
    where: { id: actionId },
    include: { ...ACTION_VIEW_INCLUDE, agent: { select: { name: true, lastSeenAt: true, team: true } } },
  });
  if (!action) return null;
  return summarizeApproval(toActionView(action), action.agent.team, consoleBaseUrl());
}
