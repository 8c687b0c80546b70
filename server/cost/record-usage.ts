import { checkAgentProvenance } from "../agents/provenance";
import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { ZRecordUsageRequest, type RecordUsageRequest, type UsageEventView } from "../schemas/cost";
import { addSpend, type SpendingAgent } from "./add-spend";
import { USAGE_INGEST_LOCK } from "./usage-horizon";

type StoredRow = { id: string; usd: string | null; at: Date };

/**
 * Stores one model call's tokens and money (POST /api/v1/usage). Money the agent sent is
 * counted as sent; otherwise the price table turns tokens into money at ingest, so a later price
 * change never rewrites the past; a model without a price stays unpriced (usd null) and is
 * counted as such. The spend and its budgets move in the same transaction.
 */
export async function recordUsage(db: DbOrTx, agent: SpendingAgent, request: RecordUsageRequest): Promise<UsageEventView> {
  const input = ZRecordUsageRequest.parse(request);
  return inTransaction(db, async (tx) => {
    const taskId = await checkAgentProvenance(tx, agent.id, { taskId: input.taskId ?? null, actionId: input.actionId ?? null }, "CONFLICT");
    const reported = input.usd === undefined ? null : String(input.usd);
    // The shared lock is taken in the same statement, before the id is drawn (usage-horizon.ts).
    const [row] = (await tx.$queryRaw<StoredRow[]>`
      WITH horizon AS (SELECT pg_advisory_xact_lock_shared(${USAGE_INGEST_LOCK}::bigint))
      INSERT INTO usage_events (agent_id, task_id, action_id, model, input_tokens, output_tokens, reported_usd, usd)
      SELECT ${agent.id}::uuid, ${taskId}::uuid, ${input.actionId ?? null}::uuid, ${input.model}, ${input.inputTokens}::int, ${input.outputTokens}::int,
             ${reported}::numeric,
             coalesce(${reported}::numeric,
                      round((${input.inputTokens}::numeric * p.input_usd_per_million + ${input.outputTokens}::numeric * p.output_usd_per_million) / 1000000, 6))
        FROM horizon LEFT JOIN model_prices p ON p.model = ${input.model}
      RETURNING id::text AS id, usd::text AS usd, at`) as [StoredRow];
    if (row.usd !== null) await addSpend(tx, agent, row.usd, row.at);
    return {
      id: row.id,
      agentId: agent.id,
      taskId,
      actionId: input.actionId ?? null,
      model: input.model,
      inputTokens: input.inputTokens,
      outputTokens: input.outputTokens,
      reportedUsd: input.usd ?? null,
      usd: row.usd === null ? null : Number(row.usd),
      priced: row.usd !== null,
      usdSource: reported !== null ? "reported" : row.usd !== null ? "price_table" : "unpriced",
      at: row.at.toISOString(),
    };
  });
}
