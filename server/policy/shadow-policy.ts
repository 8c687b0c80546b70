import type { RequestOrigin, UserActor } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import { ADVISORY_LOCKS } from "../db/advisory-locks";
import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { AppError } from "../errors";
import { publish } from "../events/bus";
import { busInvalidatedCache } from "../lib/bus-cache";
import { evaluateAction, type Evaluation, type EvaluationInput } from "../guardrails/evaluate-action";
import { DECISIONS, type Decision } from "../schemas/enums";
import { ZEndShadowRequest, ZPolicyDocument, ZStartShadowRequest, type PolicyDocument } from "../schemas/policy";
import { assertRulesCompile } from "./compiled-rules";
import { forgetCachedPolicy, getCurrentPolicy } from "./current-policy";
import { savePolicy } from "./save-policy";

/*
 * Shadow mode: a draft runs beside the policy in force on live traffic. Each decision is also
 * evaluated with the draft (the same pure function, microseconds) and what the draft would have
 * decided is written in the decision's own statement, so a shadow row exists exactly when the
 * action does. Nothing the agent sees changes. /policies shows the difference until the draft is
 * promoted (it becomes the next version) or dropped. One shadow at a time (a unique index).
 */

export type RunningShadow = { id: string; document: PolicyDocument; baseVersion: number; comment: string; authorLabel: string; createdAt: Date };

// Starting, promoting and dropping publish policy.changed, which drops this cache everywhere.
const cache = busInvalidatedCache<RunningShadow | null>({ maxAgeMs: 5_000, invalidates: (e) => e.type === "policy.changed" });

async function loadRunningShadow(db: DbOrTx): Promise<RunningShadow | null> {
  const row = await db.policyShadow.findFirst({ where: { endedAt: null } });
  if (!row) return null;
  // The same shadow read again keeps its document object, so its rules stay compiled.
  if (lastRead?.id === row.id) return lastRead;
  const document = ZPolicyDocument.safeParse(row.document);
  // A row edited into something unreadable shadows nothing rather than failing live decisions.
  if (!document.success) return null;
  lastRead = {
    id: row.id,
    document: document.data,
    baseVersion: row.baseVersion,
    comment: row.comment,
    authorLabel: row.authorLabel,
    createdAt: row.createdAt,
  };
  return lastRead;
}

let lastRead: RunningShadow | null = null;

/** The shadow running now, if any (cached: read by every decision). */
export function getRunningShadow(db: DbOrTx, options: { fresh?: boolean } = {}): Promise<RunningShadow | null> {
  if (options.fresh) return loadRunningShadow(db);
  return cache.get("running", () => loadRunningShadow(db));
}

/** The row a decision adds to its statement: what the shadow would have decided. */
export function shadowDecisionSql(shadowId: string, actionId: string, enforced: Decision, shadow: Evaluation): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO shadow_decisions (id, shadow_id, action_id, enforced, shadow_decision, reasons)
    VALUES (gen_random_uuid(), ${shadowId}::uuid, ${actionId}::uuid, ${enforced}::"Decision", ${shadow.decision}::"Decision", ${JSON.stringify(shadow.reasons)}::jsonb)`;
}

function changed() {
  forgetCachedPolicy();
  cache.clear();
}

export async function startShadow(db: DbOrTx, actor: UserActor, request: { document: PolicyDocument; comment?: string }, origin?: RequestOrigin) {
  const input = ZStartShadowRequest.parse(request);
  assertRulesCompile(input.document);
  const started = await inTransaction(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.policySave})`;
    const running = await loadRunningShadow(tx);
    if (running) throw new AppError("CONFLICT", `a shadow policy started by ${running.authorLabel} is already running: promote or drop it first`);
    const current = await getCurrentPolicy(tx, { fresh: true });
    const row = await tx.policyShadow.create({
      data: {
        document: input.document as Prisma.InputJsonObject,
        comment: input.comment,
        baseVersion: current.version,
        authorId: actor.id,
        authorLabel: actor.label,
      },
    });
    await publish(tx, { type: "policy.changed", version: current.version });
    await appendAudit(tx, {
      actor,
      verb: "policy.shadow.start",
      subject: { type: "policy_shadow", id: row.id },
      data: { baseVersion: current.version, comment: input.comment },
      origin,
    });
    return { id: row.id, baseVersion: current.version };
  });
  changed();
  return started;
}

/** Ends the running shadow: dropped, or promoted to the next version (one transaction, audited). */
export async function endShadow(
  db: DbOrTx,
  actor: UserActor,
  request: { id: string; outcome: "promoted" | "dropped"; comment?: string },
  origin?: RequestOrigin,
) {
  const input = ZEndShadowRequest.parse(request);
  const ended = await inTransaction(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.policySave})`;
    const shadow = await tx.policyShadow.findUnique({ where: { id: input.id } });
    if (!shadow) throw new AppError("NOT_FOUND", `shadow policy ${input.id} was not found`);
    if (shadow.endedAt) throw new AppError("CONFLICT", `this shadow policy was already ${shadow.outcome} at ${shadow.endedAt.toISOString()}`);
    let promotedTo: number | null = null;
    if (input.outcome === "promoted") {
      const document = ZPolicyDocument.parse(shadow.document);
      const comment = input.comment || shadow.comment || "promoted from shadow";
      // Saved on the version the draft was started from: a save since then is a conflict, as it is
      // for an editor that loaded an older version (the draft would silently undo it).
      promotedTo = (await savePolicy(tx, actor, { document, comment, baseVersion: shadow.baseVersion }, origin)).version;
    }
    await tx.policyShadow.update({ where: { id: shadow.id }, data: { endedAt: new Date(), outcome: input.outcome, promotedTo } });
    const current = await getCurrentPolicy(tx, { fresh: true });
    await publish(tx, { type: "policy.changed", version: current.version });
    await appendAudit(tx, {
      actor,
      verb: `policy.shadow.${input.outcome === "promoted" ? "promote" : "drop"}`,
      subject: { type: "policy_shadow", id: shadow.id },
      data: { promotedTo },
      origin,
    });
    return { id: shadow.id, outcome: input.outcome, promotedTo };
  });
  changed();
  return ended;
}

const strictness = (d: Decision) => DECISIONS.indexOf(d);

/**
 * The running shadow's live difference: the decisions enforced and those the draft would have
 * made, how many more or fewer actions would have waited for a human, and the newest actions
 * whose decision differs.
 */
export async function shadowDifference(db: DbOrTx) {
  const shadow = await getRunningShadow(db, { fresh: true });
  if (!shadow) return null;
  const counts = await db.shadowDecision.groupBy({ by: ["enforced", "shadowDecision"], where: { shadowId: shadow.id }, _count: { _all: true } });
  const enforced = Object.fromEntries(DECISIONS.map((d) => [d, 0])) as Record<Decision, number>;
  const wouldBe = { ...enforced };
  let stricter = 0;
  let looser = 0;
  let total = 0;
  for (const c of counts) {
    const n = c._count._all;
    total += n;
    enforced[c.enforced] += n;
    wouldBe[c.shadowDecision] += n;
    if (strictness(c.shadowDecision) > strictness(c.enforced)) stricter += n;
    if (strictness(c.shadowDecision) < strictness(c.enforced)) looser += n;
  }
  const differing = await db.$queryRaw<
    {
      id: string;
      actionId: string;
      action: string;
      agent: string;
      tool: string | null;
      resource: string | null;
      enforced: Decision;
      shadowDecision: Decision;
      reasons: unknown;
      createdAt: Date;
    }[]
  >`
    SELECT s.id, s.action_id AS "actionId", a.action, g.name AS agent, a.tool, a.resource, s.enforced, s.shadow_decision AS "shadowDecision", s.reasons, s.created_at AS "createdAt"
    FROM shadow_decisions s JOIN actions a ON a.id = s.action_id JOIN agents g ON g.id = a.agent_id
    WHERE s.shadow_id = ${shadow.id}::uuid AND s.enforced <> s.shadow_decision
    ORDER BY s.created_at DESC LIMIT 50`;
  return {
    shadow: {
      id: shadow.id,
      baseVersion: shadow.baseVersion,
      comment: shadow.comment,
      authorLabel: shadow.authorLabel,
      createdAt: shadow.createdAt,
      document: shadow.document,
    },
    total,
    enforced,
    wouldBe,
    moreApprovals: wouldBe.require_approval - enforced.require_approval,
    stricter,
    looser,
    differing: differing.map((d) => ({
      ...d,
      rule:
        (Array.isArray(d.reasons) ? (d.reasons as { rule?: string; outcome?: string }[]) : []).find((r) => r.rule && r.outcome === d.shadowDecision)?.rule ??
        null,
      reasons: undefined,
    })),
  };
}

/**
 * The shadow's row for one live decision, or nothing when no shadow runs. A decision refused by
 * a rate limit is not recorded: the limit is the moment's, not the policy's to change.
 */
export async function shadowDecisionWrites(
  db: DbOrTx,
  input: EvaluationInput,
  enforced: Evaluation,
  actionId: string,
  // The shadow whose rules' counts the input was given (propose-action.ts reads it first).
  running?: RunningShadow | null,
): Promise<Prisma.Sql[]> {
  const shadow = running === undefined ? await getRunningShadow(db) : running;
  if (!shadow || enforced.retryAfterSeconds !== undefined) return [];
  let evaluation = evaluateAction(input, shadow.document);
  // An approval grant answered for a human in the enforced decision; it would in the draft's too.
  const grant = enforced.reasons.find((r) => r.code === "approval_grant");
  if (grant && evaluation.decision === "require_approval" && evaluation.requiredApprovals <= 1) {
    evaluation = { ...evaluation, decision: "execute_with_notification", requiredApprovals: 0, reasons: [...evaluation.reasons, grant] };
  }
  return [shadowDecisionSql(shadow.id, actionId, enforced.decision, evaluation)];
}
