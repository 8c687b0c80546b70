import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { calibrationFromBins, type FineBin } from "./binned-calibration";
import { LATENCY_BUCKETS } from "./latency-histogram";
import { buildOverview, type HourRow } from "./overview";
import { rollupRange } from "./rollup-range";

// The queries behind /metrics. Each reads a rollup (metric_hours, metric_calibration_days,
// metric_tool_days) by its (agent, time) or time index, never the actions table, so a month of
// ten million actions answers in milliseconds (docs/benchmarks.md). Buckets are hourly up to two
// days, daily beyond (rollupRange).

export type MetricsScope = {
  from: Date;
  to: Date;
  /** one agent */
  agentId?: string;
  /** one team */
  team?: string;
};

/** The agents a scope covers, and the SQL filter for them (null: the whole fleet). */
async function agentsInScope(db: DbOrTx, scope: MetricsScope) {
  const agents = await db.agent.findMany({
    where: { ...(scope.agentId ? { id: scope.agentId } : {}), ...(scope.team ? { team: scope.team } : {}) },
    select: { id: true, name: true, team: true },
    orderBy: { name: "asc" },
  });
  const filtered = Boolean(scope.agentId || scope.team);
  const ids = agents.map((a) => a.id);
  const filter = (column: string) => (filtered ? Prisma.sql`AND ${Prisma.raw(column)} = ANY(${ids}::uuid[])` : Prisma.empty);
  return { agents, filter };
}

const HISTOGRAM_SUMS = Prisma.raw(Array.from({ length: LATENCY_BUCKETS }, (_, i) => `sum(approval_latency[${i + 1}])::int`).join(", "));

export async function loadOverview(db: DbOrTx, scope: MetricsScope) {
  const { bucket, table, start, where } = rollupRange(scope.from, scope.to);
  const { agents, filter } = await agentsInScope(db, scope);
  const [rows, calibration] = await Promise.all([
    // One row per bucket and one per agent (grouping sets); histograms summed bucket by bucket.
    db.$queryRaw<HourRow[]>`
      SELECT ${start} AS bucket, agent_id AS "agentId",
             sum(decisions)::int AS decisions, sum(auto_execute)::int AS "autoExecute",
             sum(execute_with_notification)::int AS "executeWithNotification", sum(require_approval)::int AS "requireApproval",
             sum(deny)::int AS deny, sum(approved_unchanged)::int AS "approvedUnchanged", sum(edited)::int AS edited,
             sum(rejected)::int AS rejected, sum(expired)::int AS expired, sum(pending)::int AS pending,
             sum(succeeded)::int AS succeeded, sum(failed)::int AS failed, sum(repeated_failures)::int AS "repeatedFailures",
             sum(rubber_stamps)::int AS "rubberStamps", sum(cost_usd)::float8 AS "costUsd",
             ARRAY[${HISTOGRAM_SUMS}] AS histogram
        FROM ${table} WHERE ${where} ${filter("agent_id")}
       GROUP BY GROUPING SETS ((1), (2))`,
    loadCalibrationBins(db, scope, filter),
  ]);
  const calibrationResult = calibrationFromBins(calibration);
  return {
    ...buildOverview({ from: scope.from, to: scope.to, bucket, rows, agents, suggestedThreshold: calibrationResult.threshold }),
    calibration: calibrationResult,
  };
}

/** Calibration bins over the range: the fleet's own rollup, or the agents' rows for a team or an agent. */
function loadCalibrationBins(db: DbOrTx, scope: MetricsScope, filter: (column: string) => Prisma.Sql) {
  const table = scope.agentId || scope.team ? Prisma.raw("metric_calibration_days") : Prisma.raw("metric_calibration_fleet_days");
  return db.$queryRaw<FineBin[]>`
    SELECT bin, sum(n)::int AS n, sum(successes)::int AS successes, sum(sum_conf)::float8 AS "sumConf",
           sum(sum_conf_sq)::float8 AS "sumConfSq", sum(sum_conf_success)::float8 AS "sumConfSuccess"
      FROM ${table}
     WHERE day >= (${scope.from}::timestamptz AT TIME ZONE 'UTC')::date AND (day::timestamp AT TIME ZONE 'UTC') < ${scope.to} ${scope.agentId || scope.team ? filter("agent_id") : Prisma.empty}
     GROUP BY bin`;
}

/** Drift events in range, newest first, with the agent's name. */
export async function loadDriftEvents(db: DbOrTx, scope: MetricsScope) {
  const { filter } = await agentsInScope(db, scope);
  return db.$queryRaw<
    {
      id: string;
      agentId: string;
      agentName: string;
      statistic: string;
      value: number;
      threshold: number;
      detail: unknown;
      windowStart: Date;
      detectedAt: Date;
    }[]
  >`
    SELECT d.id, d.agent_id AS "agentId", a.name AS "agentName", d.statistic, d.value, d.threshold, d.detail, d.window_start AS "windowStart", d.detected_at AS "detectedAt"
      FROM drift_events d JOIN agents a ON a.id = d.agent_id
     WHERE d.detected_at >= ${scope.from} AND d.detected_at < ${scope.to} ${filter("d.agent_id")}
     ORDER BY d.detected_at DESC LIMIT 200`;
}
