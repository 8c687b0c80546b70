import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { PLAN_CHANGE_WINDOW } from "../memory/learning-signals";
import { RUBBER_STAMP_MS } from "./interventions";
import { LATENCY_BOUNDS_MS } from "./latency-histogram";
import { ADVISORY_LOCKS } from "../db/advisory-locks";
import { DECISIONS, type Decision } from "../schemas/enums";

// Rollups the metrics pages read instead of the actions table (ten million rows and more):
// metric_hours (decisions and outcomes per agent and hour) and metric_days (the same per day,
// for long ranges), metric_tool_days (the action mix per
// agent and day) and metric_calibration_days (outcomes by confidence bin per agent and day).
// Each pass recomputes, from actions, every hour and day in which an action was created or
// changed since the last pass; actions.updated_at (kept by a trigger) says which. Recomputing a
// group from scratch makes a pass idempotent, so passes may overlap: the watermark is held back
// to the oldest transaction still open when a pass runs, plus a minute of slack, so a change that
// commits after a pass began is picked up by a later one.

const STATE = "actions";
/** The action mix's name for actions that named no tool (tool names are slugs: never this). */
const NO_TOOL = "(no tool)";
const TOOL_OR_NONE = Prisma.sql`coalesce(a.tool, ${NO_TOOL})`;
const OVERLAP = "1 minute";

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

/**
 * The memory's plan-change signal for a warned action `a`: it was not carried out as proposed
 * (rejected, expired, denied, or run with edited args; one still waiting is not counted yet) and
 * the agent did not propose it again unchanged within PLAN_CHANGE_WINDOW.
 */
const PLAN_CHANGED = Prisma.sql`(a.status <> 'pending_approval'
  AND NOT (a.status IN ('approved', 'executing', 'succeeded', 'failed', 'rolled_back') AND NOT a.args_edited)
  AND NOT EXISTS (SELECT 1 FROM actions b
                   WHERE b.agent_id = a.agent_id AND b.created_at > a.created_at AND b.created_at < a.created_at + ${PLAN_CHANGE_WINDOW}::interval
                     AND b.tool IS NOT DISTINCT FROM a.tool AND b.action = a.action AND b.resource IS NOT DISTINCT FROM a.resource AND b.args = a.args))`;

/**
 * Per action: memories recalled with its decision, and whether one was a matching past failure
 * (flagged on the recall itself when the decision was made, so a later edit of the entry's kind
 * does not change the hours recomputed afterwards).
 */
const RECALL_SUMMARY = Prisma.sql`
  SELECT r.action_id, count(*)::int AS recalls, bool_or(r.warned) AS warned
    FROM memory_recalls r`;

/**
 * The columns of metric_hours (and metric_days, which has the same ones) and how each is
 * computed: `hour` aggregates the hour's actions `a` and their recall summary `rc`; `day` sums
 * the day's metric_hours rows `h` (a plain count by default). One row per column, so the
 * column list, the aggregates, the ON CONFLICT updates and the daily sums are all generated
 * from this table and cannot fall out of order. A column here and not in the table (or the
 * other way round) fails tests/integration/rollup-columns.test.ts.
 */
type RollupColumn = { column: string; hour: Prisma.Sql; day?: string };
const count = (column: string, where: Prisma.Sql): RollupColumn => ({ column, hour: Prisma.sql`count(*) FILTER (WHERE ${where})::int` });
const decisionIs = (decision: Decision) => Prisma.sql`a.decision = ${decision}::"Decision"`;
export const HOUR_ROLLUP: readonly RollupColumn[] = [
  { column: "decisions", hour: Prisma.sql`count(*)::int` },
  // One count per decision, each in the column of the decision's own name.
  ...DECISIONS.map((decision) => count(decision, decisionIs(decision))),
  count("approved_unchanged", Prisma.sql`${APPROVED} AND NOT a.args_edited`),
  count("edited", Prisma.sql`${APPROVED} AND a.args_edited`),
  count("rejected", Prisma.sql`a.decision = 'require_approval' AND a.status = 'rejected'`),
  count("expired", Prisma.sql`a.decision = 'require_approval' AND a.status = 'expired'`),
  count("pending", Prisma.sql`a.status = 'pending_approval'`),
  count("succeeded", Prisma.sql`a.status = 'succeeded'`),
  count("failed", Prisma.sql`a.status = 'failed'`),
  count("repeated_failures", Prisma.sql`a.status = 'failed' AND a.repeated_failure`),
  count("rubber_stamps", Prisma.sql`${HUMAN_DECIDED} AND ${APPROVED} AND ${LATENCY} < ${RUBBER_STAMP_MS}`),
  {
    column: "approval_latency",
    hour: latencyHistogramSql(),
    // The histogram summed bucket by bucket.
    day: `ARRAY[${Array.from({ length: LATENCY_BOUNDS_MS.length + 1 }, (_, i) => `sum(h.approval_latency[${i + 1}])::int`).join(", ")}]`,
  },
  { column: "cost_usd", hour: Prisma.sql`coalesce(sum(a.cost_usd), 0)`, day: "sum(h.cost_usd)" },
  { column: "recalls", hour: Prisma.sql`coalesce(sum(rc.recalls), 0)::int` },
  count("warned", Prisma.sql`rc.warned`),
  count("plan_changes", Prisma.sql`rc.warned AND ${PLAN_CHANGED}`),
];
const HOUR_COLUMNS = Prisma.raw(HOUR_ROLLUP.map((c) => c.column).join(", "));
const HOUR_AGGREGATES = Prisma.join(
  HOUR_ROLLUP.map((c) => Prisma.sql`${c.hour} AS ${Prisma.raw(c.column)}`),
  ",\n  ",
);
const UPDATES = Prisma.raw(HOUR_ROLLUP.map((c) => `${c.column} = EXCLUDED.${c.column}`).join(", "));
/** metric_days from metric_hours `h`. */
const DAY_SUMS = Prisma.raw(HOUR_ROLLUP.map((c) => c.day ?? `sum(h.${c.column})::int`).join(", "));

/** metric_calibration_days' measures of the actions `a` in one confidence bin (same table shape as HOUR_ROLLUP). */
export const CALIBRATION_ROLLUP: readonly { column: string; expression: Prisma.Sql; fleet: string }[] = [
  { column: "n", expression: Prisma.sql`count(*)::int`, fleet: "sum(n)::int" },
  { column: "successes", expression: Prisma.sql`count(*) FILTER (WHERE a.status = 'succeeded')::int`, fleet: "sum(successes)::int" },
  { column: "sum_conf", expression: Prisma.sql`sum(a.confidence)`, fleet: "sum(sum_conf)" },
  { column: "sum_conf_sq", expression: Prisma.sql`sum(a.confidence * a.confidence)`, fleet: "sum(sum_conf_sq)" },
  { column: "sum_conf_success", expression: Prisma.sql`coalesce(sum(a.confidence) FILTER (WHERE a.status = 'succeeded'), 0)`, fleet: "sum(sum_conf_success)" },
];
const CALIBRATION_COLUMNS = Prisma.raw(CALIBRATION_ROLLUP.map((c) => c.column).join(", "));
const CALIBRATION_AGGREGATES = Prisma.join(CALIBRATION_ROLLUP.map((c) => Prisma.sql`${c.expression} AS ${Prisma.raw(c.column)}`));
/** metric_calibration_fleet_days from metric_calibration_days: every measure summed over agents. */
const CALIBRATION_FLEET_SUMS = Prisma.raw(CALIBRATION_ROLLUP.map((c) => c.fleet).join(", "));
const CONFIDENCE_BIN = Prisma.sql`least(floor(a.confidence * 100), 99)::int`;

export type RollupResult = { hours: number; days: number; ranAt: Date } | null;

// A first pass folds all of history (a fresh rollup over millions of actions takes a minute);
// later passes take milliseconds.
const PASS_TIMEOUT_MS = 15 * 60_000;

/**
 * One pass (the background job runs it every few seconds). The first pass, with no watermark
 * yet, folds all of history by grouping the whole table; later passes recompute only the dirty
 * hours and days, each by its (agent_id, created_at) index range. Returns null when another
 * instance holds the pass (a transaction-level advisory lock: two passes would only repeat work).
 */
export async function rollUpActions(db: DbOrTx): Promise<RollupResult> {
  return inTransaction(
    db,
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${ADVISORY_LOCKS.metricsRollup}, 1) AS locked`;
      if (!lock?.locked) return null;
      const [state] = await tx.$queryRaw<{ watermark: Date }[]>`SELECT watermark FROM metric_rollup_state WHERE name = ${STATE}`;
      // The next pass rescans from here: this pass's start, or earlier while another transaction
      // of this database is still open, since its changes carry its own (earlier) start time in
      // updated_at and become visible only when it commits.
      const [clock] = await tx.$queryRaw<{ now: Date; horizon: Date }[]>`
        SELECT now() AS now, least(now(), (SELECT min(xact_start) FROM pg_stat_activity
                                            WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL)) AS horizon`;
      const now = clock!.now;
      const counts = state ? await foldDirty(tx, state.watermark) : await foldEverything(tx);
      await tx.$executeRaw`
        INSERT INTO metric_rollup_state (name, watermark) VALUES (${STATE}, ${clock!.horizon})
        ON CONFLICT (name) DO UPDATE SET watermark = EXCLUDED.watermark`;
      return { ...counts, ranAt: now };
    },
    { timeout: PASS_TIMEOUT_MS },
  );
}

async function foldEverything(tx: DbOrTx) {
  const hours = await tx.$executeRaw`
    INSERT INTO metric_hours (hour, agent_id, ${HOUR_COLUMNS})
    SELECT date_trunc('hour', a.created_at, 'UTC'), a.agent_id, ${HOUR_AGGREGATES}
      FROM actions a LEFT JOIN (${RECALL_SUMMARY} WHERE r.action_id IS NOT NULL GROUP BY r.action_id) rc ON rc.action_id = a.id
     GROUP BY 1, 2
    ON CONFLICT (hour, agent_id) DO UPDATE SET ${UPDATES}`;
  await tx.$executeRaw`CREATE TEMP TABLE dirty_days ON COMMIT DROP AS SELECT DISTINCT (hour AT TIME ZONE 'UTC')::date AS day, agent_id FROM metric_hours`;
  await sumDays(tx);
  const day = Prisma.sql`(a.created_at AT TIME ZONE 'UTC')::date`;
  // DELETE, not TRUNCATE: TRUNCATE would lock the pages' reads out until this long pass commits.
  await tx.$executeRaw`DELETE FROM metric_tool_days`;
  await tx.$executeRaw`DELETE FROM metric_calibration_days`;
  await tx.$executeRaw`INSERT INTO metric_tool_days (day, agent_id, tool, actions) SELECT ${day}, a.agent_id, ${TOOL_OR_NONE}, count(*)::int FROM actions a GROUP BY 1, 2, 3`;
  const days = await tx.$executeRaw`
    INSERT INTO metric_calibration_days (day, agent_id, bin, ${CALIBRATION_COLUMNS})
    SELECT ${day}, a.agent_id, ${CONFIDENCE_BIN}, ${CALIBRATION_AGGREGATES}
      FROM actions a WHERE a.status IN ('succeeded', 'failed') GROUP BY 1, 2, 3`;
  await sumFleetCalibration(tx);
  return { hours, days };
}

async function foldDirty(tx: DbOrTx, watermark: Date) {
  // The groups to recompute; DISTINCT keeps one per hour and agent however many actions changed.
  // An action also dirties the hour before its own: whether an earlier warned action's plan
  // changed depends on what the agent proposed in the hour after it.
  await tx.$executeRaw`
    CREATE TEMP TABLE dirty_hours ON COMMIT DROP AS
    SELECT DISTINCT date_trunc('hour', c.at, 'UTC') AS hour, c.agent_id
      FROM actions, LATERAL (VALUES (created_at, agent_id), (created_at - ${PLAN_CHANGE_WINDOW}::interval, agent_id)) c(at, agent_id)
     WHERE updated_at > ${watermark}::timestamptz - ${OVERLAP}::interval`;
  const hours = await tx.$executeRaw`
    INSERT INTO metric_hours (hour, agent_id, ${HOUR_COLUMNS})
    SELECT d.hour, d.agent_id, x.* FROM dirty_hours d CROSS JOIN LATERAL (
      SELECT ${HOUR_AGGREGATES}
        FROM actions a LEFT JOIN LATERAL (${RECALL_SUMMARY} WHERE r.action_id = a.id GROUP BY r.action_id) rc ON TRUE
       WHERE a.agent_id = d.agent_id AND a.created_at >= d.hour AND a.created_at < d.hour + interval '1 hour') x
    ON CONFLICT (hour, agent_id) DO UPDATE SET ${UPDATES}`;
  const days = await recomputeDays(tx);
  return { hours, days };
}

/** metric_days for the dirty days, summed from their (already updated) hours. */
async function sumDays(tx: DbOrTx): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO metric_days (day, agent_id, ${HOUR_COLUMNS})
    SELECT d.day, d.agent_id, ${DAY_SUMS}
      FROM dirty_days d JOIN metric_hours h
        ON h.agent_id = d.agent_id AND h.hour >= (d.day::timestamp AT TIME ZONE 'UTC') AND h.hour < ((d.day + 1)::timestamp AT TIME ZONE 'UTC')
     GROUP BY d.day, d.agent_id
    ON CONFLICT (day, agent_id) DO UPDATE SET ${UPDATES}`;
}

/** The fleet's calibration bins for the dirty days, summed over agents. */
async function sumFleetCalibration(tx: DbOrTx): Promise<void> {
  await tx.$executeRaw`DELETE FROM metric_calibration_fleet_days f WHERE f.day IN (SELECT day FROM dirty_days)`;
  await tx.$executeRaw`
    INSERT INTO metric_calibration_fleet_days (day, bin, ${CALIBRATION_COLUMNS})
    SELECT day, bin, ${CALIBRATION_FLEET_SUMS}
      FROM metric_calibration_days WHERE day IN (SELECT day FROM dirty_days) GROUP BY day, bin`;
}

/** The daily rollups (tool mix, calibration bins) for the UTC days of the dirty hours. */
async function recomputeDays(tx: DbOrTx): Promise<number> {
  await tx.$executeRaw`
    CREATE TEMP TABLE dirty_days ON COMMIT DROP AS
    SELECT DISTINCT (hour AT TIME ZONE 'UTC')::date AS day, agent_id FROM dirty_hours`;
  await sumDays(tx);
  const range = Prisma.sql`a.agent_id = d.agent_id AND a.created_at >= (d.day::timestamp AT TIME ZONE 'UTC') AND a.created_at < ((d.day + 1)::timestamp AT TIME ZONE 'UTC')`;
  await tx.$executeRaw`DELETE FROM metric_tool_days t USING dirty_days d WHERE t.day = d.day AND t.agent_id = d.agent_id`;
  await tx.$executeRaw`
    INSERT INTO metric_tool_days (day, agent_id, tool, actions)
    SELECT d.day, d.agent_id, ${TOOL_OR_NONE}, count(*)::int FROM dirty_days d JOIN actions a ON ${range} GROUP BY 1, 2, 3`;
  await tx.$executeRaw`DELETE FROM metric_calibration_days c USING dirty_days d WHERE c.day = d.day AND c.agent_id = d.agent_id`;
  await tx.$executeRaw`
    INSERT INTO metric_calibration_days (day, agent_id, bin, ${CALIBRATION_COLUMNS})
    SELECT d.day, d.agent_id, ${CONFIDENCE_BIN}, ${CALIBRATION_AGGREGATES}
      FROM dirty_days d JOIN actions a ON ${range}
     WHERE a.status IN ('succeeded', 'failed')
     GROUP BY d.day, d.agent_id, ${CONFIDENCE_BIN}`;
  await sumFleetCalibration(tx);
  const [days] = await tx.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM dirty_days`;
  return days!.n;
}
