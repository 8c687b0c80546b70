import { isDeepStrictEqual } from "node:util";
import type { RequestOrigin, UserActor } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx, Tx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { AppError, invalidField, notFound, type ErrorCode } from "../errors";
import { grantWithApproval } from "../policy/approval-grants";
import { publish } from "../events/bus";
import { describeProblems, fieldProblems, isValidationFailure } from "../http/validation";
import { getEffectiveControl, isStopped } from "../control/effective-state";
import { recordDerivedMemory } from "../memory/record-memory";
import { fitMemorySubject } from "../memory/subject-key";
import { argsHash } from "../lib/canonical-json";
import { channelDeliveriesSql, enqueueWebhooks } from "../notifications/notify";
import { ZApproveRequest, ZRejectRequest, type ActionView } from "../schemas/actions";
import { ACTION_VIEW_INCLUDE, toActionView } from "../actions/action-view";
import { getToolForDecision } from "../tools/tool-registry";

export type Verdict = { verdict: "approve"; args?: Record<string, unknown>; comment?: string; grantMinutes?: number } | { verdict: "reject"; reason: string };

/** Locks the action row: concurrent deciders queue here, and the first decision wins. */
async function lockPendingAction(tx: Tx, actionId: string) {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM actions WHERE id = ${actionId}::uuid FOR UPDATE`;
  if (locked.length === 0) throw notFound("action", actionId);
  return tx.action.findUniqueOrThrow({ where: { id: actionId }, include: { ...ACTION_VIEW_INCLUDE, agent: { select: { name: true, ownerId: true } } } });
}

function alreadyDecided(action: { status: string; decidedByLabel: string | null; decidedAt: Date | null }): AppError {
  const by = action.decidedByLabel ?? "warden";
  const at = action.decidedAt?.toISOString() ?? "earlier";
  return new AppError("CONFLICT", `Already ${action.status.replace("_", " ")} by ${by} at ${at}`, {
    details: { status: action.status, decidedBy: by, decidedAt: action.decidedAt?.toISOString() ?? null },
  });
}

/**
 * An edit may not move a gateway call off its resource: Warden checked the tool's scopes on the
 * value the agent proposed, and the gateway refuses to run any other (gateway-call.ts). Refused
 * here, naming the argument, rather than approved and then never run.
 */
async function checkResourceKept(tx: Tx, action: { tool: string | null; resource: string | null }, args: Record<string, unknown>) {
  // Any action of a gateway tool (only those name a resource argument), proposed through the
  // gateway or not: a call through the gateway may join an action the agent proposed itself.
  if (!action.tool) return;
  const argument = (await getToolForDecision(tx, action.tool))?.resourceArgument;
  if (!argument || args[argument] === action.resource) return;
  throw invalidField(
    `args.${argument}`,
    `must stay ${JSON.stringify(action.resource)}: the tool's scopes were checked on that resource, and the gateway runs the call on no other. Reject it, and let the agent ask for the other resource`,
  );
}

/**
 * An approver's verdict on a pending action. Exactly one decision wins a race (row lock); the
 * others get a 409 naming who decided and when. Critical actions need `requiredApprovals`
 * distinct approvers, not counting the agent's owner; the first approver may edit the args and
 * the rest approve those args as they are.
 */
export async function decideApproval(db: DbOrTx, approver: UserActor, actionId: string, verdict: Verdict, origin?: RequestOrigin): Promise<ActionView> {
  const input =
    verdict.verdict === "approve"
      ? { verdict: "approve" as const, ...ZApproveRequest.parse({ args: verdict.args, comment: verdict.comment, grantMinutes: verdict.grantMinutes }) }
      : { verdict: "reject" as const, ...ZRejectRequest.parse({ reason: verdict.reason }) };
  let expiredNow = false;
  const view = await inTransaction(db, async (tx) => {
    const action = await lockPendingAction(tx, actionId);
    if (action.status !== "pending_approval") throw alreadyDecided(action);
    const now = new Date();
    if (action.expiresAt && action.expiresAt <= now) {
      await markExpired(tx, [action.id], now);
      expiredNow = true;
      return null;
    }
    const subject = { type: "action", id: action.id };
    const summary = { actionId: action.id, agent: action.agent.name, action: action.action, tool: action.tool };

    if (input.verdict === "reject") {
      const updated = await tx.action.update({
        where: { id: action.id },
        data: { status: "rejected", reason: input.reason, decidedById: approver.id, decidedByLabel: approver.label, decidedAt: now },
        include: ACTION_VIEW_INCLUDE,
      });
      await enqueueWebhooks(tx, "approval.decided", { ...summary, status: "rejected", decidedBy: approver.label, reason: input.reason });
      await publish(tx, {
        type: "approval.decided",
        actionId: action.id,
        agentId: action.agentId,
        status: "rejected",
        seq: await nextDecidedSeq(tx, action.id),
      });
      await appendAudit(tx, { actor: approver, verb: "action.reject", subject, data: { reason: input.reason }, origin });
      // The reason goes back to the agent and into memory, for the next similar proposal.
      await recordDerivedMemory(
        tx,
        approver,
        {
          kind: "decision",
          subject: fitMemorySubject(action.action, action.resource ? `${action.action} on ${action.resource}` : action.action),
          body: `Rejected by ${approver.label}: ${input.reason}`,
          actionId: action.id,
          ...(action.taskId ? { taskId: action.taskId } : {}),
        },
        origin,
        { action: action.action, tool: action.tool, resource: action.resource },
      );
      return toActionView(updated);
    }

    // A suspended or killed agent's waiting actions may be rejected, never approved to run.
    const control = await getEffectiveControl(tx, action.agentId);
    if (isStopped(control.state)) {
      throw new AppError(
        "CONFLICT",
        `${action.agent.name} is ${control.state}${control.reason ? ` (${control.reason})` : ""}: its actions cannot be approved until it is resumed`,
        {
          details: { status: action.status, control: control.state },
        },
      );
    }
    // A critical tool's approval never comes from the agent's owner, whatever the policy's quorum
    // (even one): the person answerable for the agent is not the human check on it.
    const quorum = action.requiredApprovals > 1 || action.risk === "critical";
    if (quorum && action.agent.ownerId === approver.id) {
      throw new AppError("FORBIDDEN", `You own ${action.agent.name}: your approval cannot count toward its quorum`);
    }
    if (action.votes.some((v) => v.userId === approver.id)) {
      throw new AppError("CONFLICT", `You already approved this action; it waits for ${action.requiredApprovals - action.votes.length} more approver(s)`);
    }
    // A grant stands in for one approval only (policy/approval-grants.ts): refused before any vote.
    if (input.grantMinutes !== undefined && quorum) throw invalidField("grantMinutes", "an action that needs several approvers cannot be approved in advance");
    // Approving one's own agent's call may be allowed; approving its later calls in advance is not.
    if (input.grantMinutes !== undefined && action.agent.ownerId === approver.id)
      throw invalidField("grantMinutes", "the agent's owner cannot approve its calls in advance");
    if (input.grantMinutes !== undefined) {
      // Read under a share lock: a deactivation (which ends the agent's grants under an update
      // lock of the same row) either sees this grant or is seen by this read.
      const [agentNow] = await tx.$queryRaw<{ active: boolean }[]>(Prisma.sql`SELECT active FROM agents WHERE id = ${action.agentId}::uuid FOR SHARE`);
      if (!agentNow?.active) throw invalidField("grantMinutes", `${action.agent.name} is deactivated: its calls cannot be approved in advance`);
    }
    if (input.args) await checkResourceKept(tx, action, input.args);
    const firstVote = action.votes[0];
    const candidateArgs = (firstVote?.args ?? null) as Record<string, unknown> | null;
    if (firstVote && input.args && !isDeepStrictEqual(input.args, candidateArgs ?? action.args)) {
      throw new AppError(
        "CONFLICT",
        `The args were already ${candidateArgs ? `edited by ${firstVote.userLabel}` : "approved as proposed"}: approve them as they are, or reject`,
      );
    }
    await tx.approvalVote.create({
      data: {
        actionId: action.id,
        userId: approver.id,
        userLabel: approver.label,
        args: (input.args ?? undefined) as Prisma.InputJsonObject | undefined,
        comment: input.comment ?? null,
      },
    });
    const votes = action.votes.length + 1;
    if (votes < action.requiredApprovals) {
      const updated = await tx.action.findUniqueOrThrow({ where: { id: action.id }, include: ACTION_VIEW_INCLUDE });
      await tx.$executeRaw(channelDeliveriesSql("approval.voted", { ...summary, votes, required: action.requiredApprovals, by: approver.label }));
      await publish(tx, { type: "approval.decided", actionId: action.id, agentId: action.agentId, status: "pending_approval" });
      await appendAudit(tx, {
        actor: approver,
        verb: "action.approval_vote",
        subject,
        data: { votes, required: action.requiredApprovals, editedArgs: Boolean(input.args), comment: input.comment ?? null },
        origin,
      });
      return toActionView(updated);
    }
    const approvedArgs = (candidateArgs ?? input.args ?? action.args) as Prisma.InputJsonObject;
    const argsEdited = !isDeepStrictEqual(approvedArgs, action.args);
    const updated = await tx.action.update({
      where: { id: action.id },
      data: {
        status: "approved",
        approvedArgs,
        approvedArgsHash: argsHash(approvedArgs),
        argsEdited,
        decidedById: approver.id,
        decidedByLabel: approver.label,
        decidedAt: now,
      },
      include: ACTION_VIEW_INCLUDE,
    });
    const grant = input.grantMinutes === undefined ? null : await grantWithApproval(tx, approver, action, input.grantMinutes, argsEdited, origin);
    await enqueueWebhooks(tx, "approval.decided", { ...summary, status: "approved", decidedBy: approver.label, argsEdited });
    await publish(tx, { type: "approval.decided", actionId: action.id, agentId: action.agentId, status: "approved", seq: await nextDecidedSeq(tx, action.id) });
    await appendAudit(tx, {
      actor: approver,
      verb: "action.approve",
      subject,
      data: {
        approvers: [...action.votes.map((v) => v.userLabel), approver.label],
        argsEdited,
        ...(argsEdited ? { approvedArgs } : {}),
        comment: input.comment ?? null,
        ...(grant ? { grantId: grant.id, grantUntil: grant.expiresAt.toISOString() } : {}),
      },
      origin,
    });
    return toActionView(updated);
  });
  if (expiredNow)
    throw new AppError("CONFLICT", "The approval expired before this decision; the agent was told it expired", { details: { status: "expired" } });
  return view!;
}

/** The decision's place in the agent's event stream (so a reconnecting agent can replay it). */
async function nextDecidedSeq(tx: Tx, actionId: string): Promise<number> {
  const [row] = await tx.$queryRaw<{ seq: bigint }[]>`
    UPDATE actions SET decided_seq = nextval('warden_stream_seq') WHERE id = ${actionId}::uuid RETURNING decided_seq AS seq`;
  return Number(row!.seq);
}

/**
 * Marks pending actions expired (never rejected), audits each, and tells the agents. `why` says
 * what ended them when it was not their expiry time (a suspend or a kill of their agent).
 */
export async function markExpired(tx: Tx, actionIds: string[], now: Date, why?: { by: string; reason: string }): Promise<void> {
  if (actionIds.length === 0) return;
  const expired = await tx.$queryRaw<{ id: string; agent_id: string; action: string; tool: string; decided_seq: bigint }[]>`
    UPDATE actions SET status = 'expired', decided_at = ${now}, decided_by_label = ${why?.by ?? "expiry"}, reason = ${why?.reason ?? null},
           updated_at = ${now}, decided_seq = nextval('warden_stream_seq')
     WHERE id = ANY(${actionIds}::uuid[]) AND status = 'pending_approval'
    RETURNING id, agent_id, action, tool, decided_seq`;
  for (const row of expired) {
    await enqueueWebhooks(tx, "approval.decided", { actionId: row.id, action: row.action, tool: row.tool, status: "expired" });
    await publish(tx, { type: "approval.decided", actionId: row.id, agentId: row.agent_id, status: "expired", seq: Number(row.decided_seq) });
    await appendAudit(tx, {
      actor: { type: "system", id: null, label: "warden" },
      verb: "action.expire",
      subject: { type: "action", id: row.id },
      ...(why ? { data: { by: why.by, reason: why.reason } } : {}),
    });
  }
}

/**
 * The sweep every instance runs: pending approvals past their expiry become `expired`, and so do
 * those of suspended or killed agents (a proposal that read "running" just before a suspend
 * committed can land after the suspend's own sweep: this catches it within seconds).
 */
export async function expireOverdueApprovals(db: DbOrTx): Promise<number> {
  return inTransaction(db, async (tx) => {
    const due = await tx.$queryRaw<{ id: string; stopped: string | null; why: string | null }[]>`
      SELECT x.id, CASE WHEN ac.state IN ('suspended', 'killed') THEN ac.state::text END AS stopped, ac.reason AS why
        FROM actions x JOIN agent_control ac ON ac.agent_id = x.agent_id
       WHERE x.status = 'pending_approval' AND (x.expires_at <= now() OR ac.state IN ('suspended', 'killed'))
       ORDER BY x.expires_at LIMIT 500 FOR UPDATE OF x SKIP LOCKED`;
    const now = new Date();
    await markExpired(
      tx,
      due.filter((d) => !d.stopped).map((d) => d.id),
      now,
    );
    for (const row of due.filter((d) => d.stopped)) {
      await markExpired(tx, [row.id], now, { by: `control.${row.stopped}`, reason: `${row.stopped}: ${row.why ?? "no reason given"}` });
    }
    return due.length;
  });
}

/** One item of a batch decision: its new status, or why it was not decided. */
export type BatchDecision = { id: string; ok: boolean; status?: ActionView["status"]; code?: ErrorCode; error?: string };

/** What the approver's browser may be told about one failed item of a batch. */
const BATCH_INTERNAL_ERROR = "Internal error: the server log has the details";

/**
 * Approve or reject many at once; each is its own decision (its own transaction), and failures
 * are reported per item. Only what the one-at-a-time path would show reaches the browser: a
 * 4xx AppError's message (already decided, owner of a quorum action, not found) or the field a
 * validation failure names; anything else (a database error, a bug, a 5xx AppError) becomes a
 * generic message and is logged here with the action's id, as the tRPC error middleware does.
 */
export async function decideMany(db: DbOrTx, approver: UserActor, actionIds: string[], verdict: Verdict, origin?: RequestOrigin): Promise<BatchDecision[]> {
  const results: BatchDecision[] = [];
  for (const id of actionIds) {
    try {
      const view = await decideApproval(db, approver, id, verdict, origin);
      results.push({ id, ok: true, status: view.status });
    } catch (error) {
      if (error instanceof AppError && error.status < 500) {
        results.push({ id, ok: false, code: error.code, error: error.message });
      } else if (isValidationFailure(error)) {
        results.push({ id, ok: false, code: "BAD_REQUEST", error: describeProblems(fieldProblems(error)) });
      } else {
        console.error(`[approvals.decideMany] deciding action ${id} failed`, error);
        results.push({ id, ok: false, code: "INTERNAL", error: BATCH_INTERNAL_ERROR });
      }
    }
  }
  return results;
}
