import { celMap, type CelInput } from "@bufbuild/cel";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { DbOrTx } from "../db/client";
import { normalizeText } from "../guardrails/normalize-text";
import type { CountNeeds } from "./rule-expressions";

/** What the rules see of one decision (docs/policies.md lists it; RULE_CONTEXT in the schema too). */
export type RuleFacts = {
  agent: { id?: string; name: string; team?: string; role: string; createdAt?: Date };
  tool: { name: string; risk: string; reversible?: boolean } | null;
  resource?: string | null;
  action: string;
  args?: unknown;
  confidence: number;
  controlState: string;
  now: Date;
  counts?: RecentCounts;
};

export type RecentCounts = { agentActionsLastMinute?: number; toolFailuresLastDay?: number };

const DAY_MS = 24 * 3600_000;

/**
 * An object as a CEL map, converted once per decision: a plain object would be converted again
 * on every field access of every rule (most of what a rule costs).
 */
const asMap = (value: Record<string, CelInput>) => celMap(new Map(Object.entries(value)));

/** Args as CEL reads them: a map when the agent sent an object, else an empty one. */
function argsMap(args: unknown): CelInput {
  return asMap(typeof args === "object" && args !== null && !Array.isArray(args) ? (args as Record<string, CelInput>) : {});
}

export function ruleContext(facts: RuleFacts): Record<string, CelInput> {
  const { agent, tool, counts } = facts;
  return {
    agent: asMap({
      id: agent.id ?? "",
      name: agent.name,
      team: agent.team ?? "",
      role: agent.role,
      ageDays: agent.createdAt ? Math.max(0, (facts.now.getTime() - agent.createdAt.getTime()) / DAY_MS) : 0,
      actionsLastMinute: BigInt(counts?.agentActionsLastMinute ?? 0),
    }),
    tool: asMap({
      name: tool?.name ?? "",
      risk: tool?.risk ?? "",
      reversible: tool?.reversible ?? false,
      failuresLastDay: BigInt(counts?.toolFailuresLastDay ?? 0),
    }),
    control: asMap({ state: facts.controlState }),
    resource: facts.resource ?? "",
    action: normalizeText(facts.action),
    args: argsMap(facts.args),
    confidence: facts.confidence,
    now: timestampFromDate(facts.now),
  };
}

/**
 * The recent counts the rules of the policy in force name, and only those: a policy whose rules
 * never mention a count costs no query. The agent's count includes the action being decided
 * (it is the next one), so "more than 20 in a minute" reads as it is written.
 */
export async function loadRecentCounts(db: DbOrTx, needs: CountNeeds, at: { agentId: string; tool: string | null }): Promise<RecentCounts> {
  // Rows are stamped with the real time, so counts are taken against it (not a test clock).
  const now = Date.now();
  const [actions, failures] = await Promise.all([
    needs.agentActionsLastMinute
      ? db.action.count({ where: { agentId: at.agentId, createdAt: { gte: new Date(now - 60_000) } } }).then((n) => n + 1)
      : Promise.resolve(undefined),
    needs.toolFailuresLastDay && at.tool !== null
      ? db.action.count({ where: { tool: at.tool, status: "failed", createdAt: { gte: new Date(now - DAY_MS) } } })
      : Promise.resolve(undefined),
  ]);
  return { agentActionsLastMinute: actions, toolFailuresLastDay: failures };
}
