import { celMap, type CelInput } from "@bufbuild/cel";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { DbOrTx } from "../db/client";
import { normalizeText } from "../guardrails/normalize-text";

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
 * The failed actions of a tool in the last 24 hours (all agents), read from the partial index on
 * failed actions by tool and time (migration 20261130184500_failed_actions_by_tool): it reads
 * the day's failures, not the tool's day of actions.
 */
export async function loadToolFailures(db: DbOrTx, tool: string): Promise<number> {
  // Rows are stamped with the real time, so counts are taken against it (not a test clock).
  return db.action.count({ where: { tool, status: "failed", createdAt: { gte: new Date(Date.now() - DAY_MS) } } });
}
