import type { DbOrTx, Tx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { AppError } from "../errors";
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
    const taskId = await checkProvenance(tx, agent.id, input.taskId ?? null, input.actionId ?? null);
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

function fieldError(code: "NOT_FOUND" | "CONFLICT", field: string, message: string): AppError {
  return new AppError(code, `${field}: ${message}`, { details: [{ field, message }] });
}

/**
 * Usage may name the task and action it was spent on, which must be this agent's: an action it
 * proposed (another agent's is as unknown as a missing one, as on GET /actions/:id), a task it
 * holds or held the lease of, or created. An action's task is filled in when only the action is named.
 */
async function checkProvenance(tx: Tx, agentId: string, taskId: string | null, actionId: string | null): Promise<string | null> {
  let effectiveTaskId = taskId;
  if (actionId) {
    const [action] = await tx.$queryRaw<{ agent_id: string; task_id: string | null }[]>`
      SELECT agent_id::text, task_id::text FROM actions WHERE id = ${actionId}::uuid`;
    if (!action || action.agent_id !== agentId) throw fieldError("NOT_FOUND", "actionId", "no action of this agent has this id");
    if (taskId && action.task_id && action.task_id !== taskId) {
      throw fieldError("CONFLICT", "actionId", `the action belongs to task ${action.task_id}, not to taskId`);
    }
    effectiveTaskId ??= action.task_id;
  }
  if (taskId) {
    const [task] = await tx.$queryRaw<{ leased_by: string | null; created_by_type: string; created_by_id: string | null }[]>`
      SELECT leased_by::text, created_by_type, created_by_id FROM tasks WHERE id = ${taskId}::uuid`;
    if (!task) throw fieldError("NOT_FOUND", "taskId", "no task has this id");
    const mine = task.leased_by === agentId || (task.created_by_type === "agent" && task.created_by_id === agentId);
    if (!mine) throw fieldError("CONFLICT", "taskId", "the task is not leased to this agent, nor created by it");
  }
  return effectiveTaskId;
}
