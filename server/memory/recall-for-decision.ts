import type { DbOrTx } from "../db/client";
import type { RecalledMemory } from "../schemas/actions";
import { recallMemories } from "./recall";
import { actionSubject } from "./subject-key";

/** How alike a recorded failure must be to count as "a similar action failed before". */
export const MATCHING_FAILURE_SCORE = 0.45;

/**
 * The memories handed back with a guardrail decision: the best matches for the action's subject
 * (action, resource, tool) and the closest recorded failures, as the agent may see them. The decision escalates on the recent negative
 * knowledge among them (see matchingFailures).
 */
export async function recallForDecision(
  db: DbOrTx,
  query: { agentId: string; action: string; tool: string | null; resource: string | null },
): Promise<RecalledMemory[]> {
  const q = actionSubject(query);
  // The best matches of any kind, and the closest failures on their own: a fresh failure must
  // reach the decision (and its escalation) even where stronger entries of the same subject
  // would fill the five places.
  const [best, failures] = await Promise.all([
    recallMemories(db, { q, agentId: query.agentId, limit: 5 }),
    recallMemories(db, { q, agentId: query.agentId, kind: "negative_knowledge", limit: 3 }),
  ]);
  const seen = new Set(best.map((m) => m.id));
  const results = [...best, ...failures.filter((m) => !seen.has(m.id))].sort((a, b) => b.score - a.score);
  return results.map((m) => ({ id: m.id, kind: m.kind, subject: m.subject, body: m.body, score: m.score, agent: m.agent, createdAt: m.createdAt }));
}

/** Recent, close-enough negative knowledge: what the policy's escalation acts on. */
export function matchingFailures(recalled: RecalledMemory[], lookbackDays: number, now = Date.now()): RecalledMemory[] {
  const since = now - lookbackDays * 86400_000;
  return recalled.filter((m) => m.kind === "negative_knowledge" && m.score >= MATCHING_FAILURE_SCORE && Date.parse(m.createdAt) >= since);
}
