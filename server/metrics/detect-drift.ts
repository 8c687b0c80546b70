import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { fireAlert } from "./alerts";
import { jensenShannonDivergence, kolmogorovSmirnov } from "./distributions";
import { getMetricSettings, type MetricSettings } from "./metric-settings";
import { proportionDifference } from "./proportions";
import { ADVISORY_LOCKS } from "../db/advisory-locks";

// Drift: each agent's recent window against its own baseline window (Settings → Metrics):
// - action mix: Jensen–Shannon divergence of actions per tool (metric_tool_days);
// - confidence, and cost per finished task: two-sample Kolmogorov–Smirnov (the latest samples of
//   each window, at most SAMPLE per window, read by the (agent_id, created_at) index);
// - failure rate: recent minus baseline with a Newcombe interval (metric_hours).
// A statistic past its threshold becomes a drift event and a "drift" alert, once per agent,
// statistic and recent window.

const SAMPLE = 2000;
const DAY_MS = 86400_000;

export type DriftFinding = {
  statistic: "action_mix" | "confidence" | "cost_per_task" | "failure_rate";
  value: number;
  threshold: number;
  detail: Record<string, unknown>;
};

type Windows = { recentStart: Date; baselineStart: Date; end: Date };

/** The windows as of `now`: whole UTC days, the recent one including today. */
export function driftWindows(now: Date, settings: Pick<MetricSettings, "recentDays" | "baselineDays">): Windows {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const recentStart = new Date(today - (settings.recentDays - 1) * DAY_MS);
  return { recentStart, baselineStart: new Date(recentStart.getTime() - settings.baselineDays * DAY_MS), end: new Date(today + DAY_MS) };
}

/** Pure: which statistics drifted, given both windows' data. */
export function findDrift(
  data: {
    mix: { recent: Record<string, number>; baseline: Record<string, number> };
    confidence: { recent: number[]; baseline: number[] };
    costPerTask: { recent: number[]; baseline: number[] };
    outcomes: { recentFailed: number; recentTotal: number; baselineFailed: number; baselineTotal: number };
  },
  settings: MetricSettings,
): DriftFinding[] {
  const findings: DriftFinding[] = [];
  const enough = (a: number, b: number) => a >= settings.minActions && b >= settings.minActions;
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  if (enough(total(data.mix.recent), total(data.mix.baseline))) {
    const js = jensenShannonDivergence(data.mix.recent, data.mix.baseline);
    if (js !== null && js > settings.mixDivergence)
      findings.push({
        statistic: "action_mix",
        value: js,
        threshold: settings.mixDivergence,
        detail: { recent: data.mix.recent, baseline: data.mix.baseline },
      });
  }
  for (const [statistic, samples] of [
    ["confidence", data.confidence],
    ["cost_per_task", data.costPerTask],
  ] as const) {
    if (!enough(samples.recent.length, samples.baseline.length)) continue;
    const ks = kolmogorovSmirnov(samples.recent, samples.baseline);
    if (ks && ks.pValue < settings.ksPValue) {
      findings.push({
        statistic,
        value: ks.statistic,
        threshold: settings.ksPValue,
        detail: { pValue: ks.pValue, recentN: samples.recent.length, baselineN: samples.baseline.length },
      });
    }
  }
  const o = data.outcomes;
  if (enough(o.recentTotal, o.baselineTotal)) {
    const diff = proportionDifference(o.recentFailed, o.recentTotal, o.baselineFailed, o.baselineTotal);
    if (diff && diff.significant && Math.abs(diff.difference) >= settings.failureRateChange) {
      findings.push({
        statistic: "failure_rate",
        value: diff.difference,
        threshold: settings.failureRateChange,
        detail: { low: diff.low, high: diff.high, ...o },
      });
    }
  }
  return findings;
}

async function loadDriftData(db: DbOrTx, agentId: string, w: Windows) {
  const [mixRows, confidence, costs, outcomes] = await Promise.all([
    db.$queryRaw<{ recent: boolean; tool: string; actions: number }[]>`
      SELECT day >= (${w.recentStart}::timestamptz AT TIME ZONE 'UTC')::date AS recent, tool, sum(actions)::int AS actions
        FROM metric_tool_days
       WHERE agent_id = ${agentId}::uuid AND day >= (${w.baselineStart}::timestamptz AT TIME ZONE 'UTC')::date AND day < (${w.end}::timestamptz AT TIME ZONE 'UTC')::date
       GROUP BY 1, 2`,
    db.$queryRaw<{ recent: boolean; confidence: number }[]>`
      (SELECT true AS recent, confidence FROM actions WHERE agent_id = ${agentId}::uuid AND created_at >= ${w.recentStart} AND created_at < ${w.end} ORDER BY created_at DESC LIMIT ${SAMPLE})
      UNION ALL
      (SELECT false, confidence FROM actions WHERE agent_id = ${agentId}::uuid AND created_at >= ${w.baselineStart} AND created_at < ${w.recentStart} ORDER BY created_at DESC LIMIT ${SAMPLE})`,
    db.$queryRaw<{ recent: boolean; cost: number }[]>`
      WITH finished AS (
        SELECT t.id, t.completed_at, coalesce(t.cost_usd, 0) AS task_cost FROM tasks t
         WHERE t.leased_by = ${agentId}::uuid AND t.status = 'succeeded' AND t.completed_at >= ${w.baselineStart} AND t.completed_at < ${w.end}
      )
      SELECT recent, (task_cost + coalesce((SELECT sum(u.usd) FROM usage_events u WHERE u.task_id = f.id), 0))::float8 AS cost
        FROM ((SELECT true AS recent, * FROM finished WHERE completed_at >= ${w.recentStart} ORDER BY completed_at DESC LIMIT ${SAMPLE})
              UNION ALL
              (SELECT false, * FROM finished WHERE completed_at < ${w.recentStart} ORDER BY completed_at DESC LIMIT ${SAMPLE})) f`,
    db.$queryRaw<{ recent: boolean; failed: number; total: number }[]>`
      SELECT hour >= ${w.recentStart} AS recent, sum(failed)::int AS failed, sum(failed + succeeded)::int AS total
        FROM metric_hours WHERE agent_id = ${agentId}::uuid AND hour >= ${w.baselineStart} AND hour < ${w.end} GROUP BY 1`,
  ]);
  const mix = { recent: {} as Record<string, number>, baseline: {} as Record<string, number> };
  for (const r of mixRows) (r.recent ? mix.recent : mix.baseline)[r.tool] = r.actions;
  const split = <T extends { recent: boolean }>(rows: T[], value: (row: T) => number) => ({
    recent: rows.filter((r) => r.recent).map(value),
    baseline: rows.filter((r) => !r.recent).map(value),
  });
  const o = (recent: boolean) => outcomes.find((r) => r.recent === recent) ?? { failed: 0, total: 0 };
  return {
    mix,
    confidence: split(confidence, (r) => r.confidence),
    costPerTask: split(costs, (r) => r.cost),
    outcomes: { recentFailed: o(true).failed, recentTotal: o(true).total, baselineFailed: o(false).failed, baselineTotal: o(false).total },
  };
}

/**
 * One drift pass over every agent active in the recent window (the background job runs it every
 * ten minutes; one instance at a time). Returns the events it recorded.
 */
export async function detectDrift(db: DbOrTx, now = new Date()) {
  const settings = await getMetricSettings(db);
  const w = driftWindows(now, settings);
  const agents = await db.$queryRaw<{ id: string; name: string }[]>`
    SELECT a.id, a.name FROM agents a
     WHERE a.active AND EXISTS (SELECT 1 FROM metric_hours h WHERE h.agent_id = a.id AND h.hour >= ${w.recentStart})`;
  const recorded: { agentId: string; statistic: string; value: number }[] = [];
  for (const agent of agents) {
    const findings = findDrift(await loadDriftData(db, agent.id, w), settings);
    if (findings.length === 0) continue;
    await inTransaction(db, async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.drift}, hashtext(${agent.id}))`;
      for (const f of findings) {
        const seen = await tx.driftEvent.findFirst({ where: { agentId: agent.id, statistic: f.statistic, windowStart: w.recentStart }, select: { id: true } });
        if (seen) continue;
        const event = await tx.driftEvent.create({
          data: {
            agentId: agent.id,
            statistic: f.statistic,
            value: f.value,
            threshold: f.threshold,
            detail: f.detail as object,
            windowStart: w.recentStart,
            baselineStart: w.baselineStart,
            detectedAt: now,
          },
        });
        await fireAlert(tx, {
          rule: "drift",
          subject: agent.id,
          periodKey: `${f.statistic}:${w.recentStart.toISOString().slice(0, 10)}`,
          title: `${agent.name}: ${f.statistic.replace(/_/g, " ")} drifted`,
          body: `${f.statistic.replace(/_/g, " ")} ${f.value.toFixed(3)} against a threshold of ${f.threshold} (recent ${settings.recentDays} d vs the ${settings.baselineDays} d before).`,
          agentId: agent.id,
        });
        recorded.push({ agentId: event.agentId, statistic: event.statistic, value: event.value });
      }
    });
  }
  return recorded;
}
