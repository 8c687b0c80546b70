import type { DbOrTx } from "../db/client";
import type { RecalledMemory } from "../schemas/actions";

/**
 * Memories recalled for a guardrail decision (negative knowledge first). The memory layer is
 * not built yet, so nothing is recalled; the decision already applies the policy's escalation
 * to whatever this returns.
 */
export async function recallForDecision(
  _db: DbOrTx,
  _query: { agentId: string; action: string; tool: string; resource: string | null; lookbackDays: number },
): Promise<RecalledMemory[]> {
  return [];
}
