import type { Actor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx, Tx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { AppError, invalidField, notFound } from "../errors";
import { ZUuid } from "../schemas/common";
import { ZCreateBudgetRequest, ZUpdateBudgetRequest, type BudgetView, type CreateBudgetRequest } from "../schemas/cost";
import { periodStarts } from "./periods";

type BudgetRow = Omit<BudgetView, "periodStart" | "updatedAt"> & { periodStart: Date; updatedAt: Date };

/**
 * Every budget with the spend of its current UTC period (an agent's counter, or the sum of its
 * team's) and its target's control state, so a page shows who is near, over, or paused.
 */
export async function listBudgets(db: DbOrTx, now: Date = new Date()): Promise<BudgetView[]> {
  const starts = periodStarts(now);
  const rows = await db.$queryRaw<BudgetRow[]>`
    SELECT b.id, b.scope::text AS scope, b.target, coalesce(a.name, b.target) AS "targetLabel", b.period::text AS period,
           b.limit_usd::float8 AS "limitUsd", coalesce(s.usd, 0)::float8 AS "spentUsd", p.start AS "periodStart",
           coalesce(CASE WHEN b.scope = 'agent' THEN ac.state::text ELSE ts.state::text END, 'running') AS state,
           CASE WHEN b.scope = 'agent' THEN ac.reason ELSE ts.reason END AS "stateReason",
           b.created_by AS "createdBy", b.updated_at AS "updatedAt"
      FROM budgets b
      CROSS JOIN LATERAL (SELECT CASE b.period WHEN 'day' THEN ${starts.day}::date ELSE ${starts.month}::date END AS start) p
      LEFT JOIN agents a ON b.scope = 'agent' AND a.id::text = b.target
      LEFT JOIN agent_control ac ON ac.agent_id = a.id
      LEFT JOIN control_scopes ts ON b.scope = 'team' AND ts.kind = 'team' AND ts.key = b.target
      LEFT JOIN LATERAL (
        SELECT sum(c.usd) AS usd FROM spend_counters c
         WHERE c.period = b.period AND c.period_start = p.start
           AND (CASE WHEN b.scope = 'agent' THEN c.agent_id = a.id
                     ELSE c.agent_id IN (SELECT id FROM agents WHERE team = b.target) END)) s ON TRUE
     ORDER BY b.scope, "targetLabel", b.period`;
  return rows.map((r) => ({ ...r, periodStart: r.periodStart.toISOString().slice(0, 10), updatedAt: r.updatedAt.toISOString() }));
}

/** An agent budget must name an existing agent; a team budget a team that has agents. */
async function checkTarget(tx: Tx, input: { scope: "agent" | "team"; target: string }): Promise<string> {
  if (input.scope === "agent") {
    const agent = await tx.agent.findUnique({ where: { id: input.target }, select: { name: true } });
    if (!agent) throw invalidField("target", "no agent has this id");
    return `agent ${agent.name}`;
  }
  if ((await tx.agent.count({ where: { team: input.target } })) === 0) throw invalidField("target", `no agent is in team ${input.target}`);
  return `team ${input.target}`;
}

export async function createBudget(db: DbOrTx, actor: Actor, request: CreateBudgetRequest, origin?: RequestOrigin) {
  const input = ZCreateBudgetRequest.parse(request);
  return inTransaction(db, async (tx) => {
    const label = await checkTarget(tx, input);
    const existing = await tx.budget.findUnique({
      where: { scope_target_period: { scope: input.scope, target: input.target, period: input.period } },
      select: { id: true },
    });
    if (existing) {
      throw new AppError("CONFLICT", `period: ${label} already has a ${input.period === "day" ? "daily" : "monthly"} budget: edit that one`, {
        details: [{ field: "period", message: "a budget for this target and period exists" }],
      });
    }
    const budget = await tx.budget.create({
      data: { scope: input.scope, target: input.target, period: input.period, limitUsd: String(input.limitUsd), createdBy: actor.label },
    });
    await appendAudit(tx, {
      actor,
      verb: "budget.create",
      subject: { type: "budget", id: budget.id },
      data: { scope: input.scope, target: input.target, targetLabel: label, period: input.period, limitUsd: input.limitUsd },
      origin,
    });
    return { id: budget.id };
  });
}

/** Changes a budget's limit (scope, target and period make the budget: delete and add to change them). */
export async function updateBudget(db: DbOrTx, actor: Actor, id: string, request: { limitUsd: number }, origin?: RequestOrigin) {
  const budgetId = ZUuid.parse(id);
  const input = ZUpdateBudgetRequest.parse(request);
  return inTransaction(db, async (tx) => {
    const before = await tx.budget.findUnique({ where: { id: budgetId } });
    if (!before) throw notFound("budget", budgetId);
    await tx.budget.update({ where: { id: budgetId }, data: { limitUsd: String(input.limitUsd) } });
    await appendAudit(tx, {
      actor,
      verb: "budget.update",
      subject: { type: "budget", id: budgetId },
      data: {
        scope: before.scope,
        target: before.target,
        period: before.period,
        before: { limitUsd: Number(before.limitUsd) },
        after: { limitUsd: input.limitUsd },
      },
      origin,
    });
    return { id: budgetId };
  });
}

export async function deleteBudget(db: DbOrTx, actor: Actor, id: string, origin?: RequestOrigin) {
  const budgetId = ZUuid.parse(id);
  return inTransaction(db, async (tx) => {
    const before = await tx.budget.findUnique({ where: { id: budgetId } });
    if (!before) throw notFound("budget", budgetId);
    await tx.budget.delete({ where: { id: budgetId } });
    await appendAudit(tx, {
      actor,
      verb: "budget.delete",
      subject: { type: "budget", id: budgetId },
      data: { scope: before.scope, target: before.target, period: before.period, limitUsd: Number(before.limitUsd) },
      origin,
    });
    return { id: budgetId };
  });
}
