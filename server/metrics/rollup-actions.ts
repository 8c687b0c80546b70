import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { RUBBER_STAMP_MS } from "./interventions";
import { LATENCY_BOUNDS_MS } from "./latency-histogram";

// Rollups the metrics pages read instead of the actions table (ten million rows and more):
// metric_hours (decisions and outcomes per agent and hour), metric_tool_days (the action mix per
// agent and day) and metric_calibration_days (outcomes by confidence bin per agent and day).
// Each pass recomputes, from actions, every hour and day in which an action was created or
// changed since the last pass; actions.updated_at (kept by a trigger) says which. Recomputing a
// group from scratch makes a pass idempotent, so passes may overlap: each re-reads the last
// minute before its watermark, which covers transactions that committed after a pass began.

const STATE = "actions";
const OVERLAP = "1 minute";
const ROLLUP_LOCK = 7462051;

/** Human latency of an approval, in ms, for the actions a person decided. */
const LATENCY = Prisma.sql`extract(epoch FROM (a.decided_at - a.created_at)) * 1000`;
const HUMAN_DECIDED = Prisma.sql`a.decision = 'require_approval' AND a.decided_by_id IS NOT NULL AND a.decided_at IS NOT NULL`;
const APPROVED = Prisma.sql`a.decision = 'require_approval' AND a.status NOT IN ('pending_approval', 'rejected', 'expired')`;

function latencyHistogramSql(): Prisma.Sql {
  const bounds = [0, ...LATENCY_BOUNDS_MS];
  const buckets = bounds.map((low, i) => {
    const high = bounds[i + 1];
    const range = high === undefined ? Prisma.sql`${LATENCY} >= ${low}` : Prisma.sql`${LATENCY} >= ${low} AND ${LATENCY} < ${high}`;
    return Prisma.sql`count(*) FILTER (WHERE ${HUMAN_DECIDED} AND ${range})::int`;
  });
  return Prisma.sql`ARRAY[${Prisma.join(buckets)}]`;
}

/** The aggregate columns of metric_hours over actions `a` (same order as HOUR_COLUMNS). */
const HOUR_AGGREGATES = Prisma.sql`
  count(*)::int,
  count(*) FILTER (WHERE a.decision = 'auto_execute')::int,
  count(*) FILTER (WHERE a.decision = 'execute_with_notification')::int,
  count(*) FILTER (WHERE a.decision = 'require_approval')::int,
  count(*) FILTER (WHERE a.decision = 'deny')::int,
  count(*) FILTER (WHERE ${APPROVED} AND NOT a.args_edited)::int,
  count(*) FILTER (WHERE ${APPROVED} AND a.args_edited)::int,
  count(*) FILTER (WHERE a.decision = 'require_approval' AND a.status = 'rejected')::int,
  count(*) FILTER (WHERE a.decision = 'require_approval' AND a.status = 'expired')::int,
  count(*) FILTER (WHERE a.status = 'pending_approval')::int,
  count(*) FILTER (WHERE a.status = 'succeeded')::int,
  count(*) FILTER (WHERE a.status = 'failed')::int,
  count(*) FILTER (WHERE a.status = 'failed' AND a.repeated_failure)::int,
  count(*) FILTER (WHERE ${HUMAN_DECIDED} AND ${APPROVED} AND ${LATENCY} < ${RUBBER_STAMP_MS})::int,
  ${latencyHistogramSql()},
  coalesce(sum(a.cost_usd), 0)`;
const HOUR_COLUMNS = Prisma.raw(`decisions, auto_execute, execute_with_notification, require_approval, deny, approved_unchanged, edited, rejected,
  expired, pending, succeeded, failed, repeated_failures, rubber_stamps, approval_latency, cost_usd`);
const HOUR_UPDATES = Prisma.raw(
  ["decisions", "auto_execute", "execute_with_notification", "require_approval", "deny", "approved_unchanged", "edited", "rejected", "expired", "pending", "succeeded", "failed", "repeated_failures", "rubber_stamps", "approval_latency", "cost_usd"]
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(", "),
);
const CONFIDENCE_BIN = Prisma.sql`least(floor(a.confidence * 100), 99)::int`;

export type RollupResult = { hours: number; days: number; ranAt: Date } | null;

/**
 * One incremental pass (the background job runs it every few seconds). Returns null when another
 * instance holds the pass (a transaction-level advisory lock: two passes would only repeat work).
 */
export async function rollUpActions(db: DbOrTx): Promise<RollupResult> {
  return inTransaction(db, async (tx) => {
    const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${ROLLUP_LOCK}, 1) AS locked`;
    if (!lock?.locked) return null;
    const [state] = await tx.$queryRaw<{ watermark: Date }[]>`SELECT watermark FROM metric_rollup_state WHERE name = ${STATE}`;
    const [clock] = await tx.$queryRaw<{ now: Date }[]>`SELECT now() AS now`;
    const now = clock!.now;
    const since = state ? Prisma.sql`${state.watermark}::timestamptz - ${OVERLAP}::interval` : Prisma.sql`'-infinity'::timestamptz`;
    // The groups to recompute; DISTINCT keeps one per hour and agent however many actions changed.
    await tx.$executeRaw`
      CREATE TEMP TABLE dirty_hours ON COMMIT DROP AS
      SELECT DISTINCT date_trunc('hour', created_at) AS hour, agent_id FROM actions WHERE updated_at > ${since}`;
    const hours = await tx.$executeRaw`
      INSERT INTO metric_hours (hour, agent_id, ${HOUR_COLUMNS})
      SELECT d.hour, d.agent_id, x.* FROM dirty_hours d CROSS JOIN LATERAL (
        SELECT ${HOUR_AGGREGATES} FROM actions a
         WHERE a.agent_id = d.agent_id AND a.created_at >= d.hour AND a.created_at < d.hour + interval '1 hour') x
      ON CONFLICT (hour, agent_id) DO UPDATE SET ${HOUR_UPDATES}`;
    const days = await recomputeDays(tx);
    await tx.$executeRaw`
      INSERT INTO metric_rollup_state (name, watermark) VALUES (${STATE}, ${now})
      ON CONFLICT (name) DO UPDATE SET watermark = EXCLUDED.watermark`;
    return { hours, days, ranAt: now };
  });
}

/** The daily rollups (tool mix, calibration bins) for the UTC days of the dirty hours. */
async function recomputeDays(tx: DbOrTx): Promise<number> {
  await tx.$executeRaw`
    CREATE TEMP TABLE dirty_days ON COMMIT DROP AS
    SELECT DISTINCT (hour AT TIME ZONE 'UTC')::date AS day, agent_id FROM dirty_hours`;
  const range = Prisma.sql`a.agent_id = d.agent_id AND a.created_at >= (d.day::timestamp AT TIME ZONE 'UTC') AND a.created_at < ((d.day + 1)::timestamp AT TIME ZONE 'UTC')`;
  await tx.$executeRaw`DELETE FROM metric_tool_days t USING dirty_days d WHERE t.day = d.day AND t.agent_id = d.agent_id`;
  await tx.$executeRaw`
    INSERT INTO metric_tool_days (day, agent_id, tool, actions)
    SELECT d.day, d.agent_id, a.tool, count(*)::int FROM dirty_days d JOIN actions a ON ${range} GROUP BY d.day, d.agent_id, a.tool`;
  await tx.$executeRaw`DELETE FROM metric_calibration_days c USING dirty_days d WHERE c.day = d.day AND c.agent_id = d.agent_id`;
  await tx.$executeRaw`
    INSERT INTO metric_calibration_days (day, agent_id, bin, n, successes, sum_conf, sum_conf_sq, sum_conf_success)
    SELECT d.day, d.agent_id, ${CONFIDENCE_BIN}, count(*)::int, count(*) FILTER (WHERE a.status = 'succeeded')::int,
           sum(a.confidence), sum(a.confidence * a.confidence), coalesce(sum(a.confidence) FILTER (WHERE a.status = 'succeeded'), 0)
      FROM dirty_days d JOIN actions a ON ${range}
     WHERE a.status IN ('succeeded', 'failed')
     GROUP BY d.day, d.agent_id, ${CONFIDENCE_BIN}`;
  const [days] = await tx.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM dirty_days`;
  return days!.n;
}
