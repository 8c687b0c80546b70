// Everything the metrics overview charts, prepared from rollup rows by pure functions: the
// series per time bucket (filled, so the x-axis has no holes), the totals, one line per agent,
// and which way the guardrails lean. No I/O: the queries live in metrics-queries.ts.

import { histogramQuantile, mergeHistograms } from "./latency-histogram";
import { interventionRate, type InterventionRate } from "./interventions";

export type Bucket = "hour" | "day";

/**
 * Rollup sums over one time bucket (agentId null) or over one agent for the whole range (bucket
 * null): the query groups by those two sets, so a month of 200 agents is ~230 rows, not 6,000.
 */
export type HourRow = {
  bucket: Date | null;
  agentId: string | null;
  decisions: number;
  autoExecute: number;
  executeWithNotification: number;
  requireApproval: number;
  deny: number;
  approvedUnchanged: number;
  edited: number;
  rejected: number;
  expired: number;
  pending: number;
  succeeded: number;
  failed: number;
  repeatedFailures: number;
  rubberStamps: number;
  costUsd: number;
  /** approval latencies, bucket counts (server/metrics/latency-histogram.ts) */
  histogram: number[];
};

type Counts = Omit<HourRow, "bucket" | "agentId" | "histogram">;

export type SeriesPoint = Counts & {
  bucket: string;
  interventionRate: number | null;
  failureRate: number | null;
  approvalP50Ms: number | null;
  approvalP90Ms: number | null;
};

export type AgentLine = Counts & {
  agentId: string;
  name: string;
  team: string;
  intervention: InterventionRate;
  failureRate: number | null;
  approvalP50Ms: number | null;
};

export type Advice = { leaning: InterventionRate["leaning"]; lines: string[] };

export type Overview = {
  bucket: Bucket;
  series: SeriesPoint[];
  totals: Counts & {
    intervention: InterventionRate;
    failureRate: number | null;
    repeatedFailureRate: number | null;
    approvalP50Ms: number | null;
    approvalP90Ms: number | null;
  };
  agents: AgentLine[];
  advice: Advice;
};

const ZERO: Counts = {
  decisions: 0,
  autoExecute: 0,
  executeWithNotification: 0,
  requireApproval: 0,
  deny: 0,
  approvedUnchanged: 0,
  edited: 0,
  rejected: 0,
  expired: 0,
  pending: 0,
  succeeded: 0,
  failed: 0,
  repeatedFailures: 0,
  rubberStamps: 0,
  costUsd: 0,
};
const KEYS = Object.keys(ZERO) as (keyof Counts)[];

function add(into: Counts, row: Counts): void {
  for (const k of KEYS) into[k] += row[k];
}

/** The bucket choice for a range: hours up to two days, days beyond. */
export function bucketFor(from: Date, to: Date): Bucket {
  return to.getTime() - from.getTime() <= 48 * 3600_000 ? "hour" : "day";
}

/** The start of every bucket from `from` to `to` (UTC), so empty hours or days still plot as zero. */
export function bucketStarts(from: Date, to: Date, bucket: Bucket): Date[] {
  const step = bucket === "hour" ? 3600_000 : 86400_000;
  const first = new Date(from);
  if (bucket === "hour") first.setUTCMinutes(0, 0, 0);
  else first.setUTCHours(0, 0, 0, 0);
  const starts: Date[] = [];
  for (let t = first.getTime(); t < to.getTime(); t += step) starts.push(new Date(t));
  return starts;
}

function interventionOf(c: Counts): InterventionRate {
  return interventionRate({
    autonomous: c.autoExecute + c.executeWithNotification,
    denied: c.deny,
    approved: c.approvedUnchanged,
    edited: c.edited,
    rejected: c.rejected,
    expired: c.expired,
    pending: c.pending,
  });
}

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);

/** Which way the data points, in words a manager can act on. */
export function adviseOnGuardrails(totals: Counts, intervention: InterventionRate, suggestedThreshold: number | null): Advice {
  const lines: string[] = [];
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const human = totals.approvedUnchanged + totals.edited + totals.rejected + totals.expired;
  if (intervention.rate === null) return { leaning: null, lines: ["No decided actions in this range."] };
  lines.push(`${pct(intervention.rate)} of decided actions needed a person (${intervention.interventions} of ${intervention.decided}); the line is 30%.`);
  if (!intervention.flagged) {
    lines.push("Within the line: the guardrails and the agents' confidence agree often enough.");
    return { leaning: null, lines };
  }
  if (intervention.leaning === "too_loose") {
    lines.push(
      `Too loose: ${pct((totals.rejected + totals.edited + totals.expired) / Math.max(1, human))} of the human decisions rejected, edited or let expire what an agent proposed, and ${totals.failed} actions failed. Tighten: require approval for the tools and patterns people reject, or raise the notify threshold.`,
    );
  } else if (intervention.leaning === "too_tight") {
    const approvals = totals.approvedUnchanged + totals.edited;
    lines.push(
      `Too tight: ${pct(totals.approvedUnchanged / Math.max(1, human))} of the human decisions approved the action unchanged, ${pct(totals.rubberStamps / Math.max(1, approvals))} of approvals in under 2 seconds. People are rubber-stamping.`,
    );
    lines.push(
      suggestedThreshold !== null
        ? `Actions at confidence ${suggestedThreshold.toFixed(2)} and above succeeded 95% of the time: replay an auto-execute threshold of ${suggestedThreshold.toFixed(2)} before saving it.`
        : "Not enough executed actions yet to suggest an auto-execute threshold from calibration.",
    );
  }
  return { leaning: intervention.leaning, lines };
}

/**
 * The overview from rollup rows (per bucket, and per agent); `agents` names the agents in scope.
 */
export function buildOverview(input: {
  from: Date;
  to: Date;
  bucket: Bucket;
  rows: readonly HourRow[];
  agents: readonly { id: string; name: string; team: string }[];
  suggestedThreshold: number | null;
}): Overview {
  const byBucket = new Map<number, Counts>();
  const byAgent = new Map<string, Counts>();
  const bucketLatency = new Map<number, number[]>();
  const agentLatency = new Map<string, number[]>();
  const totals: Counts = { ...ZERO };
  for (const row of input.rows) {
    if (row.bucket) {
      const t = row.bucket.getTime();
      const b = byBucket.get(t) ?? { ...ZERO };
      add(b, row);
      byBucket.set(t, b);
      add(totals, row);
      bucketLatency.set(t, mergeHistograms([bucketLatency.get(t), row.histogram]));
    }
    if (row.agentId) {
      const a = byAgent.get(row.agentId) ?? { ...ZERO };
      add(a, row);
      byAgent.set(row.agentId, a);
      agentLatency.set(row.agentId, mergeHistograms([agentLatency.get(row.agentId), row.histogram]));
    }
  }
  const series = bucketStarts(input.from, input.to, input.bucket).map((start) => {
    const c = byBucket.get(start.getTime()) ?? { ...ZERO };
    const h = mergeHistograms([bucketLatency.get(start.getTime())]);
    return {
      bucket: start.toISOString(),
      ...c,
      interventionRate: interventionOf(c).rate,
      failureRate: rate(c.failed, c.failed + c.succeeded),
      approvalP50Ms: histogramQuantile(h, 0.5),
      approvalP90Ms: histogramQuantile(h, 0.9),
    };
  });
  const allLatency = mergeHistograms([...bucketLatency.values()]);
  const intervention = interventionOf(totals);
  const agents = input.agents
    .map((agent) => {
      const c = byAgent.get(agent.id) ?? { ...ZERO };
      return {
        agentId: agent.id,
        name: agent.name,
        team: agent.team,
        ...c,
        intervention: interventionOf(c),
        failureRate: rate(c.failed, c.failed + c.succeeded),
        approvalP50Ms: histogramQuantile(mergeHistograms([agentLatency.get(agent.id)]), 0.5),
      };
    })
    .filter((a) => a.decisions > 0)
    .sort((x, y) => (y.intervention.rate ?? -1) - (x.intervention.rate ?? -1) || y.decisions - x.decisions);
  return {
    bucket: input.bucket,
    series,
    totals: {
      ...totals,
      intervention,
      failureRate: rate(totals.failed, totals.failed + totals.succeeded),
      repeatedFailureRate: rate(totals.repeatedFailures, totals.failed),
      approvalP50Ms: histogramQuantile(allLatency, 0.5),
      approvalP90Ms: histogramQuantile(allLatency, 0.9),
    },
    agents,
    advice: adviseOnGuardrails(totals, intervention, input.suggestedThreshold),
  };
}
