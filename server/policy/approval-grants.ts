import type { RequestOrigin, UserActor } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx, Tx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { AppError, invalidField, notFound } from "../errors";
import { agentsInScopeSql } from "../control/scope";
import type { Evaluation } from "../guardrails/evaluate-action";
import { ZRevokeGrantRequest } from "../schemas/policy-rules";

/*
 * Approval grants: an approver approves "this call, and the same tool on the same resource by
 * this agent for N minutes", so a run of identical steps does not ask N times. A grant stands in
 * for one human's approval and nothing more: it never turns a refusal into a run, never answers
 * for a quorum (critical tools, rules asking for more approvers), and ends with its expiry, a
 * revoke, a suspend or kill of the agent's scope, or the agent's deactivation or a key revoke. Every grant, use and end is visible: the
 * decision's reasons name the grant and who gave it, and giving and revoking are audited.
 */

export const MAX_GRANT_MINUTES = 24 * 60;

/** Gives the grant, inside the approval's transaction (decide-approval.ts calls it). */
export async function grantWithApproval(
  tx: Tx,
  approver: UserActor,
  action: { id: string; agentId: string; tool: string | null; resource: string | null; risk: string; requiredApprovals: number },
  minutes: number,
  argsEdited: boolean,
  origin?: RequestOrigin,
) {
  if (action.tool === null) throw invalidField("grantMinutes", "a grant covers the same tool, and this action names none");
  // Else it would cover every call of the tool, on anything.
  if (action.resource === null) throw invalidField("grantMinutes", "a grant covers the same resource, and this action names none");
  if (action.risk === "critical" || action.requiredApprovals > 1)
    throw invalidField("grantMinutes", "an action that needs several approvers cannot be approved in advance");
  if (argsEdited) throw invalidField("grantMinutes", "a grant approves later calls as the agent proposes them: it cannot be given with edited args");
  const expiresAt = new Date(Date.now() + minutes * 60_000);
  const grant = await tx.approvalGrant.create({
    data: {
      agentId: action.agentId,
      tool: action.tool,
      resource: action.resource,
      fromActionId: action.id,
      grantedById: approver.id,
      grantedByLabel: approver.label,
      expiresAt,
    },
  });
  await appendAudit(tx, {
    actor: approver,
    verb: "approval.grant",
    subject: { type: "approval_grant", id: grant.id },
    data: { actionId: action.id, agentId: action.agentId, tool: action.tool, resource: action.resource, minutes, expiresAt: expiresAt.toISOString() },
    origin,
  });
  return grant;
}

/**
 * A proposal that would wait for exactly one human, covered by a live grant, runs with a
 * notification instead, and its reasons say whose grant it was. Looked up only for such
 * proposals: the auto path costs no query.
 */
export async function applyApprovalGrant(
  db: DbOrTx,
  evaluation: Evaluation,
  at: { agentId: string; tool: string | null; resource: string | null; risk: string | null },
): Promise<Evaluation> {
  if (evaluation.decision !== "require_approval" || evaluation.requiredApprovals > 1 || at.tool === null || at.resource === null || at.risk === "critical")
    return evaluation;
  // What makes this call wait. A grant answers only for its confidence, and for a rule that made
  // the approved call wait too; never for an always-ask pattern, a tool that always needs
  // confirmation, a rule that failed, or a matching failure, which depend on this call's args.
  const waitsFor = evaluation.reasons.filter((r) => r.outcome === "require_approval" && !r.code.startsWith("confidence_"));
  if (waitsFor.some((r) => r.code !== "rule_matched")) return evaluation;
  const grant = await db.approvalGrant.findFirst({
    where: { agentId: at.agentId, tool: at.tool, resource: at.resource, endedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { expiresAt: "desc" },
  });
  if (!grant) return evaluation;
  if (waitsFor.length > 0) {
    const approved = await db.action.findUnique({ where: { id: grant.fromActionId }, select: { reasons: true } });
    const rulesMet = new Set(((approved?.reasons ?? []) as { code?: string; rule?: string }[]).filter((r) => r.code === "rule_matched").map((r) => r.rule));
    if (!waitsFor.every((r) => rulesMet.has(r.rule))) return evaluation;
  }
  return {
    ...evaluation,
    decision: "execute_with_notification",
    requiredApprovals: 0,
    reasons: [
      ...evaluation.reasons,
      {
        code: "approval_grant",
        message: `Approved in advance by ${grant.grantedByLabel}: ${at.tool} on ${at.resource ?? "no resource"} by this agent until ${grant.expiresAt.toISOString()} (grant ${grant.id}).`,
        outcome: "execute_with_notification",
      },
    ],
  };
}

export type GrantView = Awaited<ReturnType<typeof listApprovalGrants>>[number];

export async function listApprovalGrants(db: DbOrTx, options: { includeEnded?: boolean } = {}) {
  const rows = await db.approvalGrant.findMany({
    where: options.includeEnded ? {} : { endedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
    take: 200,
    include: { agent: { select: { name: true } } },
  });
  return rows.map(({ agent, ...g }) => ({ ...g, agent: agent.name, live: g.endedAt === null && g.expiresAt > new Date() }));
}

export async function revokeApprovalGrant(db: DbOrTx, actor: UserActor, request: { id: string; reason?: string }, origin?: RequestOrigin) {
  const input = ZRevokeGrantRequest.parse(request);
  return inTransaction(db, async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM approval_grants WHERE id = ${input.id}::uuid FOR UPDATE`;
    if (locked.length === 0) throw notFound("approval grant", input.id);
    const grant = await tx.approvalGrant.findUniqueOrThrow({ where: { id: input.id } });
    if (grant.endedAt) throw new AppError("CONFLICT", `this grant already ended at ${grant.endedAt.toISOString()} (${grant.endReason ?? "revoked"})`);
    if (grant.expiresAt <= new Date()) throw new AppError("CONFLICT", `this grant already expired at ${grant.expiresAt.toISOString()}`);
    const { agent, ...ended } = await tx.approvalGrant.update({
      where: { id: grant.id },
      data: { endedAt: new Date(), endedByLabel: actor.label, endReason: input.reason || "revoked" },
      include: { agent: { select: { name: true } } },
    });
    await appendAudit(tx, {
      actor,
      verb: "approval.grant_revoke",
      subject: { type: "approval_grant", id: grant.id },
      data: { reason: input.reason || null },
      origin,
    });
    return { ...ended, agent: agent.name, live: false };
  });
}

/** Ends the live grants of a scope's agents (a suspend or kill: change-control.ts runs it in its transaction). */
export async function endGrantsInScope(tx: Tx, scope: { kind: "fleet" | "team" | "agent"; key: string }, by: string, reason: string): Promise<number> {
  return tx.$executeRaw(Prisma.sql`
    UPDATE approval_grants g SET ended_at = now(), ended_by_label = ${by}, end_reason = ${reason}
      FROM agents a
     WHERE a.id = g.agent_id AND g.ended_at IS NULL AND g.expires_at > now() AND ${agentsInScopeSql(scope)}`);
}

/**
 * Ends one agent's live grants: it was deactivated, or one of its keys was revoked (agent-keys.ts,
 * in the same transaction). A grant approved the calls of an agent someone trusted then; a key
 * taken away says that trust is in question, so the next call asks again.
 */
export async function endAgentGrants(tx: Tx, agentId: string, by: string, reason: string): Promise<number> {
  // The agent's row first: a grant being given (decide-approval.ts reads the agent under a share
  // lock) commits before this ends it, or waits and sees the agent as it is after.
  await tx.$executeRaw(Prisma.sql`SELECT 1 FROM agents WHERE id = ${agentId}::uuid FOR UPDATE`);
  return tx.$executeRaw(Prisma.sql`
    UPDATE approval_grants SET ended_at = now(), ended_by_label = ${by}, end_reason = ${reason}
     WHERE agent_id = ${agentId}::uuid AND ended_at IS NULL AND expires_at > now()`);
}
