import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { ZCostWindow } from "../schemas/cost";

export type TaskCostRow = {
  taskId: string;
  title: string;
  capability: string;
  status: string;
  usd: number;
  inputTokens: number;
  outputTokens: number;
  events: number;
  unpricedEvents: number;
  agentIds: string[];
};

/** The tasks that cost the most in a window, from the usage events that name them (index on at). */
export async function topTasksByCost(db: DbOrTx, window: { from: Date | string; to: Date | string; agentIds?: string[] }, limit = 10): Promise<TaskCostRow[]> {
  const input = ZCostWindow.parse(window);
  const ids = input.agentIds && input.agentIds.length > 0 ? input.agentIds : null;
  const take = Math.max(1, Math.min(100, Math.trunc(limit)));
  return db.$queryRaw<TaskCostRow[]>`
    SELECT e.task_id::text AS "taskId", t.title, t.capability, t.status::text AS status,
           coalesce(sum(e.usd), 0)::float8 AS usd, sum(e.input_tokens)::float8 AS "inputTokens", sum(e.output_tokens)::float8 AS "outputTokens",
           count(*)::int AS events, (count(*) FILTER (WHERE e.usd IS NULL))::int AS "unpricedEvents",
           array_agg(DISTINCT e.agent_id::text) AS "agentIds"
      FROM usage_events e JOIN tasks t ON t.id = e.task_id
     WHERE e.task_id IS NOT NULL AND e.at >= ${input.from} AND e.at < ${input.to}
       ${ids ? Prisma.sql`AND e.agent_id = ANY(${ids}::uuid[])` : Prisma.empty}
     GROUP BY e.task_id, t.title, t.capability, t.status
     ORDER BY usd DESC, events DESC, e.task_id
     LIMIT ${take}`;
}
