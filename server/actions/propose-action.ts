import { randomUUID } from "node:crypto";
import type { AgentActor, RequestOrigin } from "../auth/actor";
import { appendAudit, auditInsertSql } from "../audit/append-audit";
import { pauseAgentAutomatically } from "../control/change-control";
import { getEffectiveControl, type EffectiveControl } from "../control/effective-state";
import { checkAgentProvenance } from "../agents/provenance";
import type { DbOrTx, Tx } from "../db/client";
import { Prisma, type ActionStatus, type Agent } from "../db/generated/client";
import { GuardFailed, writeAtomically } from "../db/single-statement";
import { announceAfterCommit, type WardenEvent } from "../events/bus";
import { evaluateAction, type EvaluationInput } from "../guardrails/evaluate-action";
import { consumeToolRateLimit } from "../guardrails/tool-rate-limit";
import { refundPoint, type CountedPoint } from "../lib/rate-limit";
import { argsHash } from "../lib/canonical-json";
import { recallBookkeepingSql } from "../memory/recall";
import { matchingFailures, recallForDecision } from "../memory/recall-for-decision";
import { notificationInsertSql, webhookDeliveriesSql } from "../notifications/notify";
import { getCurrentPolicy } from "../policy/current-policy";
import { ruleInputs } from "../policy/rule-inputs";
import { getRunningShadow, shadowDecisionWrites } from "../policy/shadow-policy";
import { applyApprovalGrant } from "../policy/approval-grants";
import { getToolForDecision } from "../tools/tool-registry";
import { pendingKey, proposalByExternalId, repeatedProposal } from "./repeated-proposal";
import { sqlState, UNIQUE_VIOLATION } from "../db/sql-state";
import type { z } from "zod";
import { ZProposeActionRequest, type ProposeActionRequest, type ZProposeActionResponse } from "../schemas/actions";

/** The answer to "may I?": exactly what POST /api/v1/actions returns. */
export type ProposedAction = z.output<typeof ZProposeActionResponse>;

/** Status of the answer: 201 for a new action, 200 for one that exists (waiting, or by its externalId). */
export function proposedStatus(answer: ProposedAction): number {
  return answer.repeated ? 200 : 201;
}

/**
 * An agent asks "may I?": Warden looks up what the decision needs (policy, tool, control state,
 * memories, rate limit), evaluates it (guardrails/evaluate-action.ts), and records the action,
 * its audit row, and its notification or approval request atomically.
 *
 * `control` may come from a cache (the authenticated principal's): the write re-checks its
 * epoch in the same statement, and when a control change landed in between, the decision is
 * made again on the state as it is now. `remember` (an Idempotency-Key) stores the answer in
 * that same statement.
 */
export async function proposeAction(
  db: DbOrTx,
  { agent, control }: { agent: Agent; control: EffectiveControl },
  request: ProposeActionRequest,
  origin?: RequestOrigin,
  options: {
    remember?: (status: number, answer: ProposedAction) => Prisma.Sql;
    /** Warden runs the action itself (an MCP gateway call) and reports its result: the agent may not. */
    runByGateway?: boolean;
  } = {},
): Promise<ProposedAction> {
  const runByGateway = options.runByGateway ?? false;
  try {
    return await decideAndRecord(db, agent, control, request, origin, options.remember, runByGateway);
  } catch (error) {
    if (!(error instanceof GuardFailed)) throw error;
    return decideAndRecord(db, agent, await getEffectiveControl(db, agent.id), request, origin, options.remember, runByGateway);
  }
}

async function decideAndRecord(
  db: DbOrTx,
  agent: Agent,
  control: EffectiveControl,
  request: ProposeActionRequest,
  origin: RequestOrigin | undefined,
  remember: ((status: number, answer: ProposedAction) => Prisma.Sql) | undefined,
  runByGateway: boolean,
): Promise<ProposedAction> {
  const input = ZProposeActionRequest.parse(request);
  // An action is filed under a task of this agent's only (held or created): not another's.
  if (input.taskId) await checkAgentProvenance(db as Tx, agent.id, { taskId: input.taskId, actionId: null }, "NOT_FOUND");
  const actor: AgentActor = { type: "agent", id: agent.id, label: agent.name, role: agent.role, team: agent.team };
  const [policy, shadow, toolDef, taskInProgress] = await Promise.all([
    getCurrentPolicy(db),
    getRunningShadow(db),
    input.tool ? getToolForDecision(db, input.tool) : Promise.resolve(null),
    // Under a pause only work already under way may act: a task this agent holds right now.
    input.taskId
      ? db.task.count({ where: { id: input.taskId, leasedBy: agent.id, status: { in: ["leased", "running"] } } }).then((n) => n > 0)
      : Promise.resolve(false),
  ]);
  const tool = input.tool ?? null;
  const recalled = await recallForDecision(db, { agentId: agent.id, action: input.action, tool, resource: input.resource ?? null });
  const failures = matchingFailures(recalled, policy.document.failureLookbackDays);
  // The rules' clock and the recent counts they name, the shadow draft's included (none are
  // loaded when no rule that can apply names one). The agent's count is taken back below when
  // this proposal records no action.
  const { uncount, ...forRules } = await ruleInputs(db, [policy.document, shadow?.document], { agentId: agent.id, agentName: agent.name, tool });
  const base: EvaluationInput = {
    action: input.action,
    tool,
    resource: input.resource ?? null,
    args: input.args,
    confidence: input.confidence,
    taskInProgress,
    agent: { id: agent.id, name: agent.name, team: agent.team, role: agent.role, tools: agent.tools, scopes: agent.scopes, createdAt: agent.createdAt },
    toolDef,
    control,
    rateLimit: null,
    matchingFailures: failures,
    ...forRules,
  };
  let evaluation = evaluateAction(base, policy.document);
  // Which lessons changed the answer: the same evaluation without them (pure, microseconds) tells
  // whether the warning lowered the decision; the entry's page lists the decisions it changed.
  const warned = failures.map((m) => m.id);
  const changedDecision =
    warned.length > 0 && evaluateAction({ ...base, matchingFailures: [] }, policy.document).decision !== evaluation.decision ? warned : [];
  // The rate limit counts only calls that got past the earlier refusals.
  let counted: CountedPoint | null = null;
  if (evaluation.decision !== "deny" && toolDef?.rateLimit) {
    const rateLimit = await consumeToolRateLimit(toolDef.name, toolDef.rateLimit, agent.id);
    if (!rateLimit.allowed) evaluation = evaluateAction({ ...base, rateLimit }, policy.document);
    else counted = rateLimit.point;
  }

  // An approver's grant (same tool, same resource, this agent, for N minutes) answers for one human.
  evaluation = await applyApprovalGrant(db, evaluation, { agentId: agent.id, tool, resource: input.resource ?? null, risk: toolDef?.risk ?? null });
  const status: ActionStatus = evaluation.decision === "deny" ? "denied" : evaluation.decision === "require_approval" ? "pending_approval" : "approved";
  const runsNow = status === "approved";
  const now = new Date();
  const approvedArgsHash = runsNow ? argsHash(input.args) : null;
  const expiresAt = status === "pending_approval" ? new Date(now.getTime() + evaluation.expiryMinutes * 60_000) : null;
  // Asked again while the same request waits: the one in the inbox answers.
  const key = status === "pending_approval" ? pendingKey({ action: input.action, tool, resource: input.resource ?? null, args: input.args }) : null;
  // A known externalId is not looked up first: that would cost every proposal with one a round
  // trip. The insert below meets the unique index instead, and the existing action answers.
  if (key && !input.externalId) {
    const repeated = await repeatedProposal(db, actor, key, origin);
    if (repeated) {
      if (counted) await refundPoint(counted);
      await uncount();
      return repeated;
    }
  }
  const id = randomUUID();
  const summary = { actionId: id, agent: agent.name, action: input.action, tool, resource: input.resource ?? null, confidence: input.confidence };
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

  // The action, its audit row and its notification or approval request go to the database as
  // one statement: atomic, and one round trip on the hot path. The events follow the commit
  // (announceAfterCommit says why not in it).
  const writes: Prisma.Sql[] = [
    Prisma.sql`
      INSERT INTO actions (id, agent_id, task_id, action, tool, resource, args, confidence, reversible, undo, rationale,
                           decision, reasons, policy_version, recalled, status, risk, required_approvals, expires_at,
                           approved_args, approved_args_hash, pending_key, external_id, run_by_gateway, updated_at)
      VALUES (${id}::uuid, ${agent.id}::uuid, ${input.taskId ?? null}::uuid, ${input.action}, ${tool}, ${input.resource ?? null},
              ${json(input.args)}::jsonb, ${input.confidence}, ${input.reversible ?? toolDef?.reversible ?? false}, ${json(input.undo)}::jsonb,
              ${input.rationale ?? null}, ${evaluation.decision}::"Decision", ${json(evaluation.reasons)}::jsonb, ${policy.version},
              ${json(recalled)}::jsonb, ${status}::"ActionStatus", ${toolDef?.risk ?? "low"}::"ToolRisk", ${evaluation.requiredApprovals},
              ${expiresAt}, ${runsNow ? json(input.args) : null}::jsonb, ${approvedArgsHash}, ${key}, ${input.externalId ?? null}, ${runByGateway}, now())`,
    auditInsertSql({
      actor,
      verb: "action.propose",
      subject: { type: "action", id },
      data: {
        action: input.action,
        tool,
        resource: input.resource ?? null,
        confidence: input.confidence,
        decision: evaluation.decision,
        reasons: evaluation.reasons.map((r) => r.code),
        policyVersion: policy.version,
        taskId: input.taskId ?? null,
        ...(input.externalId ? { externalId: input.externalId } : {}),
        // The pause a rule orders follows this write (pauseByRule): its audit row, or its failure's.
        ...(evaluation.pauseAgent ? { pauseAgent: evaluation.pauseAgent.rule } : {}),
      },
      origin,
    }),
  ];
  writes.push(...recallBookkeepingSql(recalled, agent.id, id, { warned, changedDecision }));
  // A draft policy running in shadow records what it would have decided (policy/shadow-policy.ts).
  writes.push(...(await shadowDecisionWrites(db, base, evaluation, id, shadow)));
  const events: WardenEvent[] = [{ type: "action.decided", actionId: id, agentId: agent.id, decision: evaluation.decision }];
  if (evaluation.decision === "execute_with_notification") {
    const notificationId = randomUUID();
    writes.push(
      notificationInsertSql({
        id: notificationId,
        kind: "action.notify",
        title: `${agent.name} runs: ${input.action}`,
        body: evaluation.reasons.map((r) => r.message).join(" "),
        actionId: id,
        agentId: agent.id,
      }),
      webhookDeliveriesSql("action.notify", summary),
    );
    events.push({ type: "notification.created", notificationId });
  }
  if (status === "pending_approval") {
    writes.push(
      webhookDeliveriesSql("approval.requested", { ...summary, expiresAt: expiresAt!.toISOString(), requiredApprovals: evaluation.requiredApprovals }),
    );
    events.push({ type: "approval.created", actionId: id, agentId: agent.id });
  }
  const answer: ProposedAction = {
    id,
    decision: evaluation.decision,
    status,
    reasons: evaluation.reasons,
    policyVersion: policy.version,
    recalled,
    approvedArgs: runsNow ? input.args : null,
    approvedArgsHash,
    ...(expiresAt ? { approval: { expiresAt: expiresAt.toISOString(), requiredApprovals: evaluation.requiredApprovals } } : {}),
    ...(evaluation.retryAfterSeconds !== undefined ? { retryAfterSeconds: evaluation.retryAfterSeconds } : {}),
  };
  if (remember) writes.push(remember(proposedStatus(answer), answer));
  // Decided on this control epoch: if a pause, suspend or kill landed since, nothing is written.
  const guard = {
    check: Prisma.sql`(SELECT epoch FROM agent_control WHERE agent_id = ${agent.id}::uuid) = ${control.epoch}`,
    message: "the agent's control state changed",
  };
  try {
    await writeAtomically(db, writes, undefined, guard);
  } catch (error) {
    // Nothing was recorded: this proposal is not one of the agent's actions of the minute (a
    // decision made again after a control change counts once, when it is recorded). A failure to
    // take it back must not hide why the write failed.
    await uncount().catch((uncountError: unknown) => console.error("warden: could not take back a rule count:", uncountError));
    // Decided again on the new control state: the tool's point is counted then, once.
    if (error instanceof GuardFailed && counted)
      await refundPoint(counted).catch((refundError: unknown) => console.error("warden: could not give back a tool's point:", refundError));
    if (error instanceof GuardFailed || sqlState(error) !== UNIQUE_VIOLATION) throw error;
    // The framework's tool-call id is known (a step run again, or two proposals of it at the same
    // moment): that action answers, as it is now. Else the same request, proposed at the same
    // moment, won the unique index over pending rows.
    const existing =
      (input.externalId ? await proposalByExternalId(db, actor, input.externalId, origin) : null) ??
      (key ? await repeatedProposal(db, actor, key, origin) : null);
    if (!existing) throw error;
    // A call already counted is not counted again (a re-run step must not use up the limit).
    if (counted) await refundPoint(counted);
    return existing;
  }
  announceAfterCommit(db, events);
  // A rule whose outcome pauses the agent ("more than 20 actions in a minute pauses it"): the
  // refusal is recorded above; the pause goes through the control path, audited as the rule's
  // doing. Nothing when the agent is already paused or stricter.
  if (evaluation.pauseAgent) await pauseByRule(db, agent, evaluation.pauseAgent.rule, id);
  return answer;
}

async function pauseByRule(db: DbOrTx, agent: Agent, rule: string, actionId: string): Promise<void> {
  try {
    await pauseAgentAutomatically(db, agent, `policy rule "${rule}"`, { label: `policy rule "${rule}"`, auditData: { rule, actionId } });
  } catch (error) {
    // The action is refused whatever happens here; a pause that lost a race with another control
    // change (a kill, say) is not the agent's answer to fail. The audit log says it did not happen.
    console.error(`warden: policy rule "${rule}" could not pause ${agent.name}:`, error);
    await appendAudit(db, {
      actor: { type: "system", id: null, label: `policy rule "${rule}"` },
      verb: "control.pause_failed",
      subject: { type: "agent", id: agent.id },
      data: { rule, actionId, error: error instanceof Error ? error.message : String(error) },
    }).catch((auditError: unknown) => console.error("warden: could not audit the failed pause:", auditError));
  }
}
