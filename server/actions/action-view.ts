import type { DbOrTx } from "../db/client";
import type { Action, ApprovalVote, Prisma } from "../db/generated/client";
import { notFound } from "../errors";
import type { ActionView, Reason, RecalledMemory } from "../schemas/actions";
import { showableList, showableObject, showableObjectOrNull } from "../lib/showable-json";

/** An agent not seen for this long is not connected (the control stream's keep-alive is 15 s). */
const CONNECTED_WITHIN_MS = 60_000;

export const ACTION_VIEW_INCLUDE = {
  agent: { select: { name: true, lastSeenAt: true } },
  votes: { orderBy: { createdAt: "asc" } },
} as const satisfies Prisma.ActionInclude;

type ActionWithRelations = Action & { agent: { name: string; lastSeenAt: Date | null }; votes: ApprovalVote[] };

/**
 * Whether the agent is there for the answer: waiting on this action (a long-poll, now),
 * connected (its control stream or a recent call, so the approval event reaches it), or away
 * (an approval would wait until it asks again).
 */
function agentPresence(action: ActionWithRelations, now = Date.now()): "waiting" | "connected" | "away" {
  if (action.agentWaitingUntil && action.agentWaitingUntil.getTime() > now) return "waiting";
  if (action.agent.lastSeenAt && now - action.agent.lastSeenAt.getTime() < CONNECTED_WITHIN_MS) return "connected";
  return "away";
}

export function toActionView(action: ActionWithRelations): ActionView {
  return {
    id: action.id,
    agentId: action.agentId,
    agent: action.agent.name,
    taskId: action.taskId,
    action: action.action,
    tool: action.tool,
    resource: action.resource,
    args: showableObject(action.args),
    confidence: action.confidence,
    rationale: action.rationale,
    decision: action.decision,
    reasons: showableList<Reason>(action.reasons, [{ code: "not_shown", message: "The stored reasons could not be shown" }]),
    policyVersion: action.policyVersion,
    recalled: showableList<RecalledMemory>(action.recalled),
    status: action.status,
    risk: action.risk,
    requiredApprovals: action.requiredApprovals,
    approvals: action.votes.map((v) => ({ by: v.userLabel, at: v.createdAt.toISOString() })),
    expiresAt: action.expiresAt?.toISOString() ?? null,
    approvedArgs: showableObjectOrNull(action.approvedArgs),
    approvedArgsHash: action.approvedArgsHash,
    argsEdited: action.argsEdited,
    decidedBy: action.decidedByLabel,
    decidedAt: action.decidedAt?.toISOString() ?? null,
    reason: action.reason,
    createdAt: action.createdAt.toISOString(),
    externalId: action.externalId,
    output: showableObjectOrNull(action.output),
    error: action.error,
    failureReason: action.failureReason,
    agentPresence: agentPresence(action),
  };
}

export async function loadActionView(db: DbOrTx, id: string, options: { agentId?: string } = {}): Promise<ActionView> {
  const action = await db.action.findUnique({ where: { id }, include: ACTION_VIEW_INCLUDE });
  // An agent sees only its own actions; another's id is as unknown as a made-up one.
  if (!action || (options.agentId && action.agentId !== options.agentId)) throw notFound("action", id);
  return toActionView(action);
}

/** The actions proposed with this framework tool-call id (one per agent): an agent's own only. */
export async function findActionsByExternalId(db: DbOrTx, externalId: string, options: { agentId?: string } = {}): Promise<ActionView[]> {
  const rows = await db.action.findMany({
    where: { externalId, ...(options.agentId ? { agentId: options.agentId } : {}) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: 200,
    include: ACTION_VIEW_INCLUDE,
  });
  return rows.map(toActionView);
}
