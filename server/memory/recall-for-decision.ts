import type { DbOrTx } from "../db/client";
import type { RecalledMemory } from "../schemas/actions";
import { recallMemories } from "./recall";

/** The lessons a decision hands back. */
const HANDED = 5;
/** Same-subject failures handed on top of those, so a fresh failure reaches the escalation even where stronger entries fill the five places. */
const EXTRA_FAILURES = 3;

/**
 * The memories handed back with a guardrail decision: only lessons about the same operation or
 * resource as the action (describe-subject.ts), strongest first, each with why it matched, and
 * the same-subject failures among the next ones. Matched by operation and resource, never by the
 * tool's spelling: a failure of `restart web` on `staging/web` says nothing to `restart api` on
 * `staging/api`, whatever the two tools are called. The decision escalates on the recent
 * same-subject negative knowledge among them (see matchingFailures).
 */
export async function recallForDecision(
  db: DbOrTx,
  query: { agentId: string; action: string; tool: string | null; resource: string | null },
): Promise<RecalledMemory[]> {
  const found = await recallMemories(db, {
    action: { action: query.action, tool: query.tool, resource: query.resource },
    agentId: query.agentId,
    limit: HANDED + EXTRA_FAILURES,
  });
  const failuresBelow = found.slice(HANDED).filter((m) => m.kind === "negative_knowledge" && m.why.match === "same_subject");
  return [...found.slice(0, HANDED), ...failuresBelow].map((m) => ({
    id: m.id,
    kind: m.kind,
    subject: m.subject,
    body: m.body,
    score: m.score,
    agent: m.agent,
    createdAt: m.createdAt,
    occurrences: m.occurrences,
    lastLearnedAt: m.lastLearnedAt,
    why: m.why,
  }));
}

/**
 * Recent negative knowledge about the same subject (operation and resource): what the policy's
 * escalation acts on. Recent means learned (first or again) within the lookback.
 */
export function matchingFailures(recalled: RecalledMemory[], lookbackDays: number, now = Date.now()): RecalledMemory[] {
  const since = now - lookbackDays * 86400_000;
  return recalled.filter((m) => m.kind === "negative_knowledge" && sameSubject(m) && Date.parse(m.lastLearnedAt ?? m.createdAt) >= since);
}

/** The score a lesson needed to escalate before issue 20, for decisions recorded without a `why` (policy replay). */
const SCORE_BEFORE_MATCH_RULE = 0.45;

function sameSubject(m: RecalledMemory): boolean {
  return m.why ? m.why.match === "same_subject" : m.score >= SCORE_BEFORE_MATCH_RULE;
}
