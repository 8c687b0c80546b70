import type { DbOrTx } from "../db/client";
import { evaluateAction } from "../guardrails/evaluate-action";
import { matchingFailures } from "../memory/recall-for-decision";
import { ZReplayRequest, type PolicyDocument } from "../schemas/policy";
import type { Reason, RecalledMemory } from "../schemas/actions";
import { DECISIONS, type Decision } from "../schemas/enums";
import { showableList } from "../lib/showable-json";
import { assertRulesCompile } from "./compiled-rules";

const MAX_ACTIONS = 50_000;
// Refusals that depended on the moment (a pause, a rate limit) are not the policy's to change.
const MOMENTARY = new Set(["control_killed", "control_suspended", "control_paused", "rate_limited"]);

type Counts = Record<Decision, number>;
const emptyCounts = (): Counts => Object.fromEntries(DECISIONS.map((decision) => [decision, 0])) as Counts;

/**
 * Runs a draft policy over the recorded actions of the last `days`: the decision counts before
 * and after, the actions whose decision changes, and the past failures the draft would have
 * sent to a human, each named with the rule that decides it under the draft. Tools and grants
 * are today's; pauses and rate limits are kept as they were.
 */
export async function replayPolicy(db: DbOrTx, request: { document: PolicyDocument; days?: number }) {
  const { document, days } = ZReplayRequest.parse(request);
  assertRulesCompile(document);
  const since = new Date(Date.now() - days * 24 * 3600_000);
  const [actions, tools] = await Promise.all([
    db.action.findMany({
      where: { createdAt: { gte: since } },
      orderBy: { createdAt: "desc" },
      take: MAX_ACTIONS,
      include: { agent: { select: { id: true, name: true, team: true, role: true, tools: true, scopes: true, createdAt: true } } },
    }),
    db.tool.findMany(),
  ]);
  const toolByName = new Map(tools.map((t) => [t.name, t]));
  const before = emptyCounts();
  const after = emptyCounts();
  const changed: {
    id: string;
    agent: string;
    action: string;
    tool: string | null;
    resource: string | null;
    confidence: number;
    from: Decision;
    to: Decision;
    status: string;
    /** The rule that decides it under the draft, when a rule does. */
    rule: string | null;
  }[] = [];
  /** How many past actions each rule of the draft decides (the rule whose outcome is the decision). */
  const decidedByRule: Record<string, number> = {};
  let changedCount = 0;
  const caughtFailures: typeof changed = [];
  for (const action of actions) {
    before[action.decision] += 1;
    // A row edited by hand may hold anything in its JSON: a list that cannot be read counts as
    // empty, so one odd row cannot fail the replay of all the others.
    const recalled = showableList<RecalledMemory>(action.recalled);
    const momentary = showableList<Reason>(action.reasons).some((r) => MOMENTARY.has(r.code));
    const evaluation = momentary
      ? null
      : evaluateAction(
          {
            action: action.action,
            tool: action.tool,
            resource: action.resource,
            args: action.args,
            confidence: action.confidence,
            taskInProgress: action.taskId !== null,
            agent: action.agent,
            toolDef: action.tool === null ? null : (toolByName.get(action.tool) ?? null),
            control: { state: "running" },
            rateLimit: null,
            matchingFailures: matchingFailures(recalled, document.failureLookbackDays, action.createdAt.getTime()),
            // Rules see the moment the action was proposed: "2pm on a Tuesday" replays as such.
            // Recent counts are not reconstructed: they read as 0 here (docs/policies.md).
            now: action.createdAt,
          },
          document,
        );
    const replayed = evaluation ? evaluation.decision : action.decision;
    const rule = evaluation?.reasons.find((r) => r.rule !== undefined && r.outcome === replayed)?.rule ?? null;
    if (rule !== null) decidedByRule[rule] = (decidedByRule[rule] ?? 0) + 1;
    after[replayed] += 1;
    if (replayed === action.decision) continue;
    const row = {
      id: action.id,
      agent: action.agent.name,
      action: action.action,
      tool: action.tool,
      resource: action.resource,
      confidence: action.confidence,
      from: action.decision,
      to: replayed,
      status: action.status,
      rule,
    };
    changedCount += 1;
    if (changed.length < 200) changed.push(row);
    const ranAlone = action.decision === "auto_execute" || action.decision === "execute_with_notification";
    if (action.status === "failed" && ranAlone && (replayed === "require_approval" || replayed === "deny")) caughtFailures.push(row);
  }
  return { days, actions: actions.length, truncated: actions.length === MAX_ACTIONS, before, after, changedCount, changed, caughtFailures, decidedByRule };
}
