import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { invalidField } from "../errors";
import { ZCostSeriesQuery, type CostSeriesQuery } from "../schemas/cost";

/** Money reported on action results and task completions, beside the models' usage. */
export const ACTION_COST_MODEL = "(action results)";
export const TASK_COST_MODEL = "(task results)";

/** The hourly series reads raw events (index on agent_id, at), so its window is bounded. */
export const MAX_HOURLY_WINDOW_MS = 48 * 3600 * 1000;

export type CostSeriesRow = {
  /** the bucket's start, UTC */
  bucket: string;
  /** null when the series is summed over agents (perAgent: false) */
  agentId: string | null;
  model: string;
  usd: number;
  inputTokens: number;
  outputTokens: number;
  events: number;
  /** events whose model had no price: their tokens count, their money is unknown */
  unpricedEvents: number;
};

type Row = Omit<CostSeriesRow, "bucket"> & { bucket: Date };

/**
 * Money and tokens per bucket, agent and model. Day buckets cover whole UTC days and read the
 * usage_days rollup plus the few events it has not folded yet (so the series is exact, not a
 * few seconds behind); hour buckets read usage_events directly. Both add the costs reported on
 * action results and task completions as two pseudo-models, bucketed by completion time.
 */
export async function costSeries(db: DbOrTx, query: CostSeriesQuery): Promise<CostSeriesRow[]> {
  const input = ZCostSeriesQuery.parse(query);
  if (input.bucket === "hour" && input.to.getTime() - input.from.getTime() > MAX_HOURLY_WINDOW_MS) {
    throw invalidField("bucket", "an hourly series covers at most 48 hours: use day buckets for longer windows");
  }
  const ids = input.agentIds && input.agentIds.length > 0 ? input.agentIds : null;
  const usage = input.bucket === "hour" ? hourlyUsageSql(input.from, input.to, ids) : dailyUsageSql(input.from, input.to, ids);
  const [from, to] = input.bucket === "hour" ? [input.from, input.to] : dayBounds(input.from, input.to);
  const unit = input.bucket;
  const none = Prisma.sql`SELECT NULL::timestamptz, NULL::uuid, NULL::text, NULL::numeric, 0, 0, 0, 0 WHERE false`;
  const agent = input.perAgent ? Prisma.sql`agent_id::text` : Prisma.sql`NULL::text`;
  const rows = await db.$queryRaw<Row[]>`
    SELECT bucket, ${agent} AS "agentId", model, sum(usd)::float8 AS usd, sum(input_tokens)::float8 AS "inputTokens",
           sum(output_tokens)::float8 AS "outputTokens", sum(events)::int AS events, sum(unpriced_events)::int AS "unpricedEvents"
      FROM (
        ${input.sources.includes("usage") ? usage : none}
        UNION ALL
        ${
          input.sources.includes("actions")
            ? Prisma.sql`SELECT date_trunc(${unit}::text, a.completed_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', a.agent_id, ${ACTION_COST_MODEL}::text,
               a.cost_usd, 0, 0, 1, 0
          FROM actions a
         WHERE a.cost_usd IS NOT NULL AND a.completed_at >= ${from} AND a.completed_at < ${to}
           -- an action completes within a day of its proposal (approvals expire sooner), so the
           -- created_at index bounds the scan
           AND a.created_at >= ${from}::timestamptz - interval '1 day' AND a.created_at < ${to}
           ${ids ? Prisma.sql`AND a.agent_id = ANY(${ids}::uuid[])` : Prisma.empty}`
            : none
        }
        UNION ALL
        ${
          input.sources.includes("tasks")
            ? Prisma.sql`SELECT date_trunc(${unit}::text, t.completed_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', t.leased_by, ${TASK_COST_MODEL}::text,
               t.cost_usd, 0, 0, 1, 0
          FROM tasks t
         WHERE t.status = 'succeeded' AND t.cost_usd IS NOT NULL AND t.leased_by IS NOT NULL
           AND t.completed_at >= ${from} AND t.completed_at < ${to}
           AND t.created_at >= ${from}::timestamptz - interval '30 days' AND t.created_at < ${to}
           ${ids ? Prisma.sql`AND t.leased_by = ANY(${ids}::uuid[])` : Prisma.empty}`
            : none
        }
      ) AS series (bucket, agent_id, model, usd, input_tokens, output_tokens, events, unpriced_events)
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3`;
  return rows.map((r) => ({ ...r, bucket: r.bucket.toISOString() }));
}

/** The whole UTC days a window touches: [first midnight, midnight after the last day). */
function dayBounds(from: Date, to: Date): [Date, Date] {
  const start = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  const last = new Date(to.getTime() - 1);
  const end = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), last.getUTCDate() + 1));
  return [start, end];
}

function hourlyUsageSql(from: Date, to: Date, ids: string[] | null): Prisma.Sql {
  return Prisma.sql`
    SELECT date_trunc('hour', e.at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', e.agent_id, e.model, e.usd, e.input_tokens, e.output_tokens, 1,
           CASE WHEN e.usd IS NULL THEN 1 ELSE 0 END
      FROM usage_events e
     WHERE e.at >= ${from} AND e.at < ${to} ${ids ? Prisma.sql`AND e.agent_id = ANY(${ids}::uuid[])` : Prisma.empty}`;
}

/** The rollup's days, plus the events past its last_id, read in one snapshot so none counts twice. */
function dailyUsageSql(from: Date, to: Date, ids: string[] | null): Prisma.Sql {
  const [start, end] = dayBounds(from, to);
  const agentFilter = (column: Prisma.Sql) => (ids ? Prisma.sql`AND ${column} = ANY(${ids}::uuid[])` : Prisma.empty);
  return Prisma.sql`
    SELECT d.day::timestamp AT TIME ZONE 'UTC', d.agent_id, d.model, d.usd, d.input_tokens, d.output_tokens, d.events, d.unpriced_events
      FROM usage_days d
     WHERE d.day >= (${start}::timestamptz AT TIME ZONE 'UTC')::date AND d.day < (${end}::timestamptz AT TIME ZONE 'UTC')::date
       ${agentFilter(Prisma.sql`d.agent_id`)}
    UNION ALL
    SELECT date_trunc('day', e.at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', e.agent_id, e.model, e.usd, e.input_tokens, e.output_tokens, 1,
           CASE WHEN e.usd IS NULL THEN 1 ELSE 0 END
      FROM usage_events e
     WHERE e.id > coalesce((SELECT last_id FROM metric_rollup_state WHERE name = 'usage'), 0)
       AND e.at >= ${start} AND e.at < ${end} ${agentFilter(Prisma.sql`e.agent_id`)}`;
}
