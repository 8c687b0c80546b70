import type { AgentActor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { sqlRows } from "../db/direct-sql";
import { inTransaction } from "../db/transaction";
import { addSpend } from "../cost/add-spend";
import { AppError, notFound } from "../errors";
import { announceAfterCommit, publish } from "../events/bus";
import { ZActionResultRequest } from "../schemas/actions";
import { recordDerivedMemory } from "../memory/record-memory";
import { recallMemories } from "../memory/recall";
import { actionSubject, fitMemorySubject } from "../memory/subject-key";
import { ACTION_VIEW_INCLUDE, toActionView } from "./action-view";

type ResultRequest = Parameters<typeof ZActionResultRequest.parse>[0];

/**
 * The agent reports what happened after it ran an approved action. An action Warden runs itself
 * (an MCP gateway call) is reported by Warden only (`byGateway`): the agent that asked cannot
 * write its outcome, before or after Warden does.
 */
export async function reportActionResult(
  db: DbOrTx,
  actor: AgentActor,
  actionId: string,
  request: ResultRequest,
  origin?: RequestOrigin,
  options: { byGateway?: boolean } = {},
) {
  const input = ZActionResultRequest.parse(request);
  return inTransaction(db, async (tx) => {
    const locked = await tx.$queryRaw<{ id: string; agent_id: string; status: string; run_by_gateway: boolean }[]>`
      SELECT id, agent_id, status, run_by_gateway FROM actions WHERE id = ${actionId}::uuid FOR UPDATE`;
    const row = locked[0];
    if (!row || row.agent_id !== actor.id) throw notFound("action", actionId);
    if (row.run_by_gateway && !options.byGateway) {
      throw new AppError("CONFLICT", "Warden runs this action (an MCP gateway call) and reports its result itself: an agent cannot report it", {
        details: { status: row.status, runByGateway: true },
      });
    }
    if (row.status === "succeeded" || row.status === "failed" || row.status === "rolled_back") {
      throw new AppError("CONFLICT", `The result was already reported (${row.status})`, { details: { status: row.status } });
    }
    if (row.status !== "approved" && row.status !== "executing") {
      throw new AppError("CONFLICT", `The action is ${row.status.replace("_", " ")}: it was not allowed to run`, { details: { status: row.status } });
    }
    const updated = await tx.action.update({
      where: { id: actionId },
      data: {
        status: input.status,
        output: (input.output ?? undefined) as Prisma.InputJsonObject | undefined,
        error: input.error ?? null,
        failureReason: input.failureReason ?? null,
        durationMs: input.durationMs ?? null,
        costUsd: input.cost ?? null,
        completedAt: new Date(),
        // An undo sent with the result was computed from the args that ran: it replaces the
        // proposal's, which may name what the approver edited away.
        ...(input.undo ? { undo: input.undo as Prisma.InputJsonObject, undoFromResult: true, reversible: true } : {}),
      },
      include: ACTION_VIEW_INCLUDE,
    });
    // Fitted to a memory's subject limit: a long action must not lose its lesson (or its report).
    const subject = fitMemorySubject(updated.action, actionSubject(updated));
    const about = { action: updated.action, tool: updated.tool, resource: updated.resource };
    if (input.status === "failed") {
      // The repeated-failure signal: the fleet had been told about this subject (live negative
      // knowledge about the same operation and resource, by the rule decisions escalate on)
      // and it failed again.
      const known = await recallMemories(tx, { action: about, agentId: actor.id, kind: "negative_knowledge", limit: 1 });
      await tx.action.update({ where: { id: actionId }, data: { repeatedFailure: known[0]?.why.match === "same_subject" } });
    }
    // Learning without being asked: a failure with its reason becomes negative knowledge that
    // every agent in scope is handed before a similar action.
    if (input.status === "failed" && input.failureReason) {
      await recordDerivedMemory(
        tx,
        actor,
        {
          kind: "negative_knowledge",
          subject,
          body: input.failureReason,
          tags: [
            (updated.tool ?? "")
              .split(".")[0]!
              .toLowerCase()
              .replace(/[^a-z0-9._-]/g, ""),
          ].filter(Boolean),
          actionId,
          ...(updated.taskId ? { taskId: updated.taskId } : {}),
        },
        origin,
        about,
      );
    }
    // Money reported with the result counts toward the agent's budgets like usage does.
    if (input.cost) await addSpend(tx, { id: actor.id, name: actor.label, team: actor.team }, input.cost);
    await publish(tx, { type: "action.result", actionId, agentId: actor.id, status: input.status });
    await appendAudit(tx, {
      actor,
      verb: input.status === "succeeded" ? "action.succeeded" : "action.failed",
      subject: { type: "action", id: actionId },
      data: {
        error: input.error ?? null,
        failureReason: input.failureReason ?? null,
        durationMs: input.durationMs ?? null,
        cost: input.cost ?? null,
        ...(input.undo ? { undo: input.undo as Prisma.InputJsonObject } : {}),
      },
      origin,
    });
    return toActionView(updated);
  });
}

/**
 * A gateway call's success, as Warden records it (gateway-call.ts): what reportActionResult does
 * for a success without cost or undo (the action's result and its audit row; nothing is learned
 * from a success), in one statement on the pool instead of a transaction's five round trips. It
 * runs beside the agent's next call, so its cost showed in that call's latency. False when the
 * action was no longer approved or executing (already reported).
 */
export async function recordGatewaySuccess(
  db: DbOrTx,
  actor: AgentActor,
  actionId: string,
  result: { output: Record<string, unknown>; durationMs: number },
  origin?: RequestOrigin,
): Promise<boolean> {
  const data = { error: null, failureReason: null, durationMs: result.durationMs, cost: null };
  const [row] = await sqlRows<{ n: number }>(
    db,
    Prisma.sql`
      WITH done AS (
        UPDATE actions SET status = 'succeeded', output = ${JSON.stringify(result.output)}::jsonb, error = NULL, failure_reason = NULL,
               duration_ms = ${result.durationMs}, completed_at = now(), updated_at = now()
         WHERE id = ${actionId}::uuid AND agent_id = ${actor.id}::uuid AND run_by_gateway AND status IN ('approved', 'executing')
        RETURNING id),
      audited AS (
        INSERT INTO audit_log (actor_type, actor_id, actor_label, verb, subject_type, subject_id, data, ip)
        SELECT ${actor.type}, ${actor.id}, ${actor.label}, 'action.succeeded', 'action', done.id::text, ${JSON.stringify(data)}::jsonb, ${origin?.ip ?? null}
          FROM done)
      SELECT count(*)::int AS n FROM done`,
  );
  if (!row || row.n === 0) return false;
  announceAfterCommit(db, [{ type: "action.result", actionId, agentId: actor.id, status: "succeeded" }]);
  return true;
}
