import type { AgentActor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import { getEffectiveControl } from "../control/effective-state";
import type { DbOrTx } from "../db/client";
import type { ActionStatus, Prisma } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { publish } from "../events/bus";
import { evaluateAction, type EvaluationInput } from "../guardrails/evaluate-action";
import { consumeToolRateLimit } from "../guardrails/tool-rate-limit";
import { argsHash } from "../lib/canonical-json";
import { recallForDecision } from "../memory/recall-for-decision";
import { enqueueWebhooks, notify } from "../notifications/notify";
import { getCurrentPolicy } from "../policy/current-policy";
import { getToolForDecision } from "../tools/tool-registry";
import { ZProposeActionRequest, type ActionView, type ProposeActionRequest } from "../schemas/actions";
import { ACTION_VIEW_INCLUDE, toActionView } from "./action-view";

export type ProposedAction = { view: ActionView; retryAfterSeconds?: number };

/**
 * An agent asks "may I?": Warden looks up what the decision needs (policy, tool, control state,
 * memories, rate limit), evaluates it (guardrails/evaluate-action.ts), and records the action,
 * its audit row, its notification or approval request in one transaction.
 */
export async function proposeAction(db: DbOrTx, actor: AgentActor, request: ProposeActionRequest, origin?: RequestOrigin): Promise<ProposedAction> {
  const input = ZProposeActionRequest.parse(request);
  const agent = await db.agent.findUniqueOrThrow({ where: { id: actor.id } });
  const [policy, toolDef, control] = await Promise.all([
    getCurrentPolicy(db),
    getToolForDecision(db, input.tool),
    getEffectiveControl(db, agent),
  ]);
  const recalled = await recallForDecision(db, {
    agentId: agent.id,
    action: input.action,
    tool: input.tool,
    resource: input.resource ?? null,
    lookbackDays: policy.document.failureLookbackDays,
  });
  const base: EvaluationInput = {
    action: input.action,
    tool: input.tool,
    resource: input.resource ?? null,
    confidence: input.confidence,
    taskInProgress: input.taskId !== undefined,
    agent: { name: agent.name, role: agent.role, tools: agent.tools, scopes: agent.scopes },
    toolDef,
    control,
    rateLimit: null,
    matchingFailures: recalled.filter((m) => m.kind === "negative_knowledge"),
  };
  let evaluation = evaluateAction(base, policy.document);
  // The rate limit counts only calls that got past the earlier refusals.
  if (evaluation.decision !== "deny" && toolDef?.rateLimit) {
    const rateLimit = await consumeToolRateLimit(toolDef.name, toolDef.rateLimit, agent.id);
    if (!rateLimit.allowed) evaluation = evaluateAction({ ...base, rateLimit }, policy.document);
  }

  const status: ActionStatus =
    evaluation.decision === "deny" ? "denied" : evaluation.decision === "require_approval" ? "pending_approval" : "approved";
  const runsNow = status === "approved";
  const now = new Date();
  const view = await inTransaction(db, async (tx) => {
    const action = await tx.action.create({
      data: {
        agentId: agent.id,
        taskId: input.taskId ?? null,
        action: input.action,
        tool: input.tool,
        resource: input.resource ?? null,
        args: input.args as Prisma.InputJsonObject,
        confidence: input.confidence,
        reversible: input.reversible ?? toolDef?.reversible ?? false,
        undo: (input.undo ?? undefined) as Prisma.InputJsonObject | undefined,
        rationale: input.rationale ?? null,
        decision: evaluation.decision,
        reasons: evaluation.reasons,
        policyVersion: policy.version,
        recalled: recalled as unknown as Prisma.InputJsonArray,
        status,
        risk: toolDef?.risk ?? "low",
        requiredApprovals: evaluation.requiredApprovals,
        expiresAt: status === "pending_approval" ? new Date(now.getTime() + evaluation.expiryMinutes * 60_000) : null,
        // What may run: the proposed args, unless an approver edits them.
        approvedArgs: runsNow ? (input.args as Prisma.InputJsonObject) : undefined,
        approvedArgsHash: runsNow ? argsHash(input.args) : null,
      },
      include: ACTION_VIEW_INCLUDE,
    });
    const summary = { actionId: action.id, agent: agent.name, action: action.action, tool: action.tool, resource: action.resource, confidence: action.confidence };
    if (evaluation.decision === "execute_with_notification") {
      await notify(tx, {
        kind: "action.notify",
        title: `${agent.name} runs: ${action.action}`,
        body: evaluation.reasons.map((r) => r.message).join(" "),
        actionId: action.id,
        agentId: agent.id,
        payload: summary,
      });
    }
    if (status === "pending_approval") {
      await enqueueWebhooks(tx, "approval.requested", { ...summary, expiresAt: action.expiresAt!.toISOString(), requiredApprovals: action.requiredApprovals });
      await publish(tx, { type: "approval.created", actionId: action.id, agentId: agent.id });
    }
    await publish(tx, { type: "action.decided", actionId: action.id, agentId: agent.id, decision: evaluation.decision });
    await appendAudit(tx, {
      actor,
      verb: "action.propose",
      subject: { type: "action", id: action.id },
      data: {
        action: action.action,
        tool: action.tool,
        resource: action.resource,
        confidence: action.confidence,
        decision: evaluation.decision,
        reasons: evaluation.reasons.map((r) => r.code),
        policyVersion: policy.version,
        taskId: action.taskId,
      },
      origin,
    });
    return toActionView(action);
  });
  return { view, retryAfterSeconds: evaluation.retryAfterSeconds };
}
