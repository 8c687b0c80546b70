import { createHash, randomInt } from "node:crypto";
import type { RequestOrigin, UserActor } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { AppError } from "../errors";
import { publish } from "../events/bus";
import { canonicalJson } from "../lib/canonical-json";
import { findUnsafeJson } from "../schemas/safe-json";
import { changeControl, OFFLINE_AFTER_MS } from "./change-control";
import { agentsInScopeSql, resolveScope, scopeText, type Scope } from "./scope";

const TOKEN_TTL_MS = 2 * 60_000;

export type PlanItem = {
  actionId: string;
  agentId: string;
  agent: string;
  action: string;
  tool: string | null;
  resource: string | null;
  completedAt: string | null;
  undo: { tool: string; args: Record<string, unknown> } | null;
  /** Why a person must check it instead of an undo being run (irreversible, or a stale undo). */
  note?: string;
};

/** An undo registered with the proposal, whose args an approver then edited, would undo the wrong thing. */
const STALE_UNDO = "args edited after the undo was registered: check by hand";

/**
 * The last `limit` executed actions in scope, newest first: the reversible ones (with an undo)
 * form the rollback plan; the others are listed for a human. So is a reversible one whose undo
 * came with the proposal when an approver edited its args: that undo names the args proposed,
 * not the ones that ran, and is never run as it stands (an undo sent with the result is).
 */
export async function rollbackPlan(db: DbOrTx, scope: Scope, limit: number): Promise<{ reversible: PlanItem[]; irreversible: PlanItem[] }> {
  if (limit === 0) return { reversible: [], irreversible: [] };
  const rows = await db.$queryRaw<(PlanItem & { reversible: boolean; stale: boolean })[]>`
    SELECT x.id AS "actionId", x.agent_id AS "agentId", a.name AS agent, x.action, x.tool, x.resource,
           to_char(x.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "completedAt",
           x.undo, (x.reversible AND x.undo IS NOT NULL) AS reversible,
           (x.reversible AND x.undo IS NOT NULL AND x.args_edited AND NOT x.undo_from_result) AS stale
      FROM actions x JOIN agents a ON a.id = x.agent_id
     WHERE x.status = 'succeeded' AND ${agentsInScopeSql(scope)}
       -- Undone once: an action an earlier kill already ordered undone (not failed) is not ordered again.
       AND NOT EXISTS (SELECT 1 FROM rollbacks r WHERE r.action_id = x.id AND r.status <> 'failed')
     ORDER BY x.completed_at DESC, x.id DESC
     LIMIT ${limit}`;
  // An undo that cannot be read as {tool, args} within the input limits (a row written by hand, or
  // before the limits) is never run as it stands, nor allowed to fail the plan: a human gets it.
  // Nor is a stale one (args edited after it was registered).
  type Row = PlanItem & { reversible: boolean; stale: boolean };
  const runnable = (r: Row) => r.reversible && !r.stale && isRunnableUndo(r.undo);
  const strip = ({ reversible: _r, stale, ...item }: Row): PlanItem => (stale ? { ...item, note: STALE_UNDO } : item);
  return {
    reversible: rows.filter(runnable).map(strip),
    irreversible: rows.filter((r) => !runnable(r)).map((r) => ({ ...strip(r), undo: isRunnableUndo(r.undo) ? r.undo : null })),
  };
}

function isRunnableUndo(undo: unknown): undo is PlanItem["undo"] {
  if (typeof undo !== "object" || undo === null || Array.isArray(undo)) return false;
  const { tool, args } = undo as { tool?: unknown; args?: unknown };
  return typeof tool === "string" && typeof args === "object" && args !== null && !Array.isArray(args) && !findUnsafeJson(undo);
}

function planHash(plan: { reversible: PlanItem[]; irreversible: PlanItem[] }): string {
  return createHash("sha256")
    .update(canonicalJson({ reversible: plan.reversible.map((p) => p.actionId), irreversible: plan.irreversible.map((p) => p.actionId) }))
    .digest("hex");
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** KILL-YYYY-MM-DD-xxxxxx: six characters of [a-z0-9] after today's date. */
function newToken(now: Date): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const suffix = Array.from({ length: 6 }, () => alphabet[randomInt(alphabet.length)]).join("");
  return `KILL-${now.toISOString().slice(0, 10)}-${suffix}`;
}

/**
 * A confirmation token for one operator, one scope and the plan shown with it. Issuing another
 * (the operator changed the scope or the rollback count) voids the operator's earlier tokens:
 * a kill always runs the plan the operator saw last.
 */
export async function issueKillToken(db: DbOrTx, operator: UserActor, request: { scope: string; rollbackLast: number }, origin?: RequestOrigin) {
  const scope = await resolveScope(db, request.scope);
  const plan = await rollbackPlan(db, scope, request.rollbackLast);
  const now = new Date();
  const token = newToken(now);
  const expiresAt = new Date(now.getTime() + TOKEN_TTL_MS);
  const hash = planHash(plan);
  await db.killToken.create({
    data: {
      tokenHash: hashToken(token),
      userId: operator.id,
      kind: scope.kind,
      key: scope.key,
      plan: plan as unknown as Prisma.InputJsonObject,
      planHash: hash,
      expiresAt,
    },
  });
  await appendAudit(db, {
    actor: operator,
    verb: "control.kill_token",
    subject: { type: "scope", id: `${scope.kind}:${scope.key}` },
    data: {
      scope: scope.label,
      planHash: hash,
      reversible: plan.reversible.length,
      irreversible: plan.irreversible.length,
      expiresAt: expiresAt.toISOString(),
    },
    origin,
  });
  // Shown to the operator: an agent by its name, as they chose it (the token is bound to its id).
  const shown = scopeText(scope, scope.kind === "agent" ? scope.label.replace(/^agent /, "") : undefined);
  return { token, expiresAt: expiresAt.toISOString(), scope: shown, planHash: hash, rollbackPlan: plan.reversible, irreversible: plan.irreversible };
}

async function refuse(db: DbOrTx, operator: UserActor, why: string, scope: string | null, origin?: RequestOrigin): Promise<never> {
  await appendAudit(db, { actor: operator, verb: "control.kill_refused", data: { why, scope }, origin });
  throw new AppError("FORBIDDEN", `Kill refused: ${why}. Nothing was changed.`);
}

/**
 * Kills a scope with a confirmation token: every refusal (wrong, reused, expired, another
 * operator's, another scope's) is a 403 that changes nothing and is audited. On success the
 * scope is killed and each reversible action of the plan the operator saw becomes an undo order
 * for its agent, newest first; orders for offline agents wait for a person.
 */
export async function killWithToken(db: DbOrTx, operator: UserActor, request: { confirm: string; scope?: string; reason?: string }, origin?: RequestOrigin) {
  const stored = await db.killToken.findUnique({ where: { tokenHash: hashToken(request.confirm) } });
  if (!stored) return refuse(db, operator, "the confirmation token is not one Warden issued", request.scope ?? null, origin);
  const scopeLabel = scopeText(stored);
  if (stored.userId !== operator.id) return refuse(db, operator, "the token was issued to another operator", scopeLabel, origin);
  if (stored.usedAt) return refuse(db, operator, "the token was already used", scopeLabel, origin);
  if (stored.expiresAt <= new Date()) return refuse(db, operator, "the token expired (tokens last two minutes)", scopeLabel, origin);
  const newer = await db.killToken.count({ where: { userId: operator.id, createdAt: { gt: stored.createdAt } } });
  if (newer > 0)
    return refuse(db, operator, "a newer token replaced it (the scope or the rollback count changed): kill with the latest plan's token", scopeLabel, origin);
  if (request.scope !== undefined) {
    const asked = await resolveScope(db, request.scope);
    if (asked.kind !== stored.kind || asked.key !== stored.key)
      return refuse(db, operator, `the token is for ${scopeLabel}, not ${request.scope}`, scopeLabel, origin);
  }
  const scope = await resolveScope(db, scopeLabel);
  const plan = stored.plan as unknown as { reversible: PlanItem[]; irreversible: PlanItem[] };
  const reason = request.reason?.trim() || "kill";

  const change = await changeControl(
    db,
    operator,
    {
      scope,
      state: "killed",
      reason,
      auditData: { planHash: stored.planHash, rollbacks: plan.reversible.length, irreversible: plan.irreversible.map((p) => p.actionId) },
    },
    origin,
    async (tx, epoch) => {
      // Single use, even against a concurrent second kill with the same token, and void once a
      // newer token of the same operator exists (issued while this kill was on its way).
      const claimed = await tx.$executeRaw`
        UPDATE kill_tokens t SET used_at = now()
         WHERE t.token_hash = ${stored.tokenHash} AND t.used_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM kill_tokens n WHERE n.user_id = t.user_id AND n.created_at > t.created_at)`;
      if (claimed === 0) throw new AppError("FORBIDDEN", "Kill refused: the token was already used or replaced by a newer one. Nothing was changed.");
      await tx.controlEvent.update({ where: { epoch }, data: { irreversible: plan.irreversible as unknown as Prisma.InputJsonArray } });
      const lastSeen = new Map(
        (await tx.agent.findMany({ where: { id: { in: plan.reversible.map((p) => p.agentId) } }, select: { id: true, lastSeenAt: true } })).map((a) => [
          a.id,
          a.lastSeenAt,
        ]),
      );
      for (const [position, item] of plan.reversible.entries()) {
        const seen = lastSeen.get(item.agentId);
        const online = seen !== null && seen !== undefined && Date.now() - seen.getTime() < OFFLINE_AFTER_MS;
        const [{ seq }] = (await tx.$queryRaw<{ seq: bigint }[]>`SELECT nextval('warden_stream_seq') AS seq`) as [{ seq: bigint }];
        const rollback = await tx.rollback.create({
          data: {
            epoch,
            seq,
            actionId: item.actionId,
            agentId: item.agentId,
            position,
            undo: item.undo as unknown as Prisma.InputJsonObject,
            status: online ? "sent" : "awaiting_manual",
          },
          select: { id: true },
        });
        await publish(tx, { type: "rollback.ordered", seq: Number(seq), rollbackId: rollback.id, agentId: item.agentId, actionId: item.actionId, epoch });
      }
    },
  );
  return {
    epoch: change.epoch,
    scope: scopeLabel,
    state: change.state,
    agents: change.targetAgents.length,
    rollbacks: plan.reversible.length,
    irreversible: plan.irreversible,
  };
}
