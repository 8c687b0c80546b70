import type { AgentActor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import { getEffectiveControl, isStopped } from "../control/effective-state";
import type { DbOrTx } from "../db/client";
import type { Action } from "../db/generated/client";
import { AppError } from "../errors";
import { argsHash } from "../lib/canonical-json";
import { showableObjectOrNull } from "../lib/showable-json";
import type { Reason, RecalledMemory } from "../schemas/actions";
import type { ProposedAction } from "./propose-action";

/**
 * What makes two requests the same while one waits for a human: the agent's words, tool,
 * resource and args. An agent asking again (a model retrying its tool call after a timeout, a
 * loop that asks every minute) gets the request already in the inbox, never a second approval.
 */
export function pendingKey(request: { action: string; tool: string | null; resource: string | null; args: Record<string, unknown> }): string {
  return argsHash({ action: request.action, tool: request.tool, resource: request.resource, args: request.args });
}

/** The agent's pending request with this key, answered as its first proposal was (plus `repeated`), or null. */
export async function repeatedProposal(db: DbOrTx, actor: AgentActor, key: string, origin?: RequestOrigin): Promise<ProposedAction | null> {
  const existing = await db.action.findFirst({ where: { agentId: actor.id, pendingKey: key, status: "pending_approval" } });
  if (!existing) return null;
  // Nothing an agent does is lost from the audit log, asking twice included.
  await appendAudit(db, { actor, verb: "action.propose_repeated", subject: { type: "action", id: existing.id }, data: { action: existing.action }, origin });
  return currentAnswer(existing);
}

/**
 * The agent's action proposed with this framework tool-call id, as it is NOW (status, approved
 * args, the approver's reason, the reported output), or null. A framework that runs a step again
 * (LangGraph re-executes a node after interrupt()) thereby learns that the call was already
 * approved, or already ran and with what result, and does not run it twice.
 */
export async function proposalByExternalId(db: DbOrTx, actor: AgentActor, externalId: string, origin?: RequestOrigin): Promise<ProposedAction | null> {
  const existing = await db.action.findFirst({ where: { agentId: actor.id, externalId } });
  if (!existing) return null;
  await appendAudit(db, {
    actor,
    verb: "action.propose_repeated",
    subject: { type: "action", id: existing.id },
    data: { action: existing.action, externalId },
    origin,
  });
  // An approval given before a suspend or kill is not a licence to run during one: asked again,
  // an approved action that has not run yet is refused while the agent is stopped.
  if (existing.status === "approved") {
    const { state } = await getEffectiveControl(db, actor.id);
    if (isStopped(state)) {
      throw new AppError("CONFLICT", `The agent is ${state}: its approved action may not run until it is resumed`, {
        details: { status: existing.status, control: state },
      });
    }
  }
  return currentAnswer(existing);
}

function currentAnswer(existing: Action): ProposedAction {
  return {
    id: existing.id,
    decision: existing.decision,
    status: existing.status,
    reasons: existing.reasons as Reason[],
    policyVersion: existing.policyVersion,
    recalled: existing.recalled as RecalledMemory[],
    approvedArgs: showableObjectOrNull(existing.approvedArgs),
    approvedArgsHash: existing.approvedArgsHash,
    ...(existing.expiresAt && existing.status === "pending_approval"
      ? { approval: { expiresAt: existing.expiresAt.toISOString(), requiredApprovals: existing.requiredApprovals } }
      : {}),
    repeated: true,
    externalId: existing.externalId,
    argsEdited: existing.argsEdited,
    reason: existing.reason,
    decidedBy: existing.decidedByLabel,
    output: showableObjectOrNull(existing.output),
    error: existing.error,
    failureReason: existing.failureReason,
  };
}
