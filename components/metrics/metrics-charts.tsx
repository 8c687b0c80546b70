"use client";

import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Calibration } from "@/server/metrics/binned-calibration";
import type { Bucket, SeriesPoint } from "@/server/metrics/overview";
import { ChartCard } from "./chart-card";
import { pivotCost, pivotQuality, type QualityPoint } from "./pivot-series";
import type { Column } from "./csv";
import { DECISIONS, type Decision } from "@/server/schemas/enums";
import { formatBucket } from "./format-bucket";

const COLORS = {
  auto: "#059669",
  notify: "#0ea5e9",
  approval: "#f59e0b",
  deny: "#dc2626",
  p50: "#4f46e5",
  p90: "#a855f7",
  line: "#dc2626",
  fail: "#dc2626",
  repeat: "#f97316",
};

export function bucketLabel(iso: string, bucket: Bucket): string {
  const d = new Date(iso);
  return bucket === "hour"
    ? d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", timeZone: "UTC" })
    : d.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);
const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);
// The CSV keeps the exact ISO instant; the data table shows it as people read dates.
const bucketColumn: Column<SeriesPoint> = { key: "bucket", label: "bucket (UTC)", value: (r) => r.bucket, display: (r) => formatBucket(r.bucket) };

type ChartProps = { series: SeriesPoint[]; bucket: Bucket; driftBuckets: string[] };

/** The flag line of the intervention rate, in percent (DESIGN.md: above 30% is flagged). */
export const INTERVENTION_FLAG_PCT = 30;

/**
 * The intervention chart's y-axis top: always above the flag line (so the line is drawn even
 * when every rate is low) and above the highest rate, rounded up to a tidy 10.
 */
export function interventionAxisMax(ratesPct: readonly (number | null)[]): number {
  const highest = Math.max(INTERVENTION_FLAG_PCT, ...ratesPct.filter((r): r is number => r !== null));
  return Math.min(100, Math.ceil((highest + 5) / 10) * 10);
}

function Axes({ bucket, unit, yDomain }: { bucket: Bucket; unit?: string; yDomain?: [number, number] }) {
  return (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
      <XAxis dataKey="bucket" tickFormatter={(v: string) => bucketLabel(v, bucket)} tick={{ fontSize: 11 }} minTickGap={24} />
      <YAxis tick={{ fontSize: 11 }} unit={unit} width={48} domain={yDomain} allowDataOverflow={false} />
      <Tooltip labelFormatter={(v) => bucketLabel(String(v), bucket)} />
    </>
  );
}

/** Drift events drawn where they were detected. */
function DriftMarks({ buckets }: { buckets: string[] }) {
  return buckets.map((b) => (
    <ReferenceLine key={b} x={b} stroke="#a855f7" strokeDasharray="2 2" label={{ value: "drift", fontSize: 10, fill: "#a855f7", position: "top" }} />
  ));
}

export function InterventionChart({ series, bucket, driftBuckets }: ChartProps) {
  const rows = series.map((p) => ({ ...p, ratePct: pct(p.interventionRate) }));
  return (
    <ChartCard
      name="intervention-rate"
      title="Human intervention rate"
      description={`Decided actions that needed a person (approved, edited, rejected, expired). Above the red line (${INTERVENTION_FLAG_PCT}%) the guardrails are off balance.`}
      rows={rows}
      columns={[
        bucketColumn,
        { key: "rate", label: "intervention rate %", value: (r) => r.ratePct },
        { key: "decided", label: "decisions", value: (r) => r.decisions },
      ]}
    >
      <ResponsiveContainer>
        <LineChart data={rows}>
          <Axes bucket={bucket} unit="%" yDomain={[0, interventionAxisMax(rows.map((r) => r.ratePct))]} />
          <ReferenceLine
            y={INTERVENTION_FLAG_PCT}
            stroke={COLORS.line}
            strokeDasharray="4 4"
            label={{ value: `${INTERVENTION_FLAG_PCT}%`, fontSize: 10, fill: COLORS.line, position: "insideTopRight" }}
          />
          {DriftMarks({ buckets: driftBuckets })}
          <Line type="monotone" dataKey="ratePct" name="intervention %" stroke="#4f46e5" dot={{ r: 2 }} connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

/** One stacked bar per decision, in the declared order; a new decision does not compile without its bar. */
const DECISION_BARS: Record<Decision, { field: "autoExecute" | "executeWithNotification" | "requireApproval" | "deny"; name: string; fill: string }> = {
  auto_execute: { field: "autoExecute", name: "run", fill: COLORS.auto },
  execute_with_notification: { field: "executeWithNotification", name: "run + notify", fill: COLORS.notify },
  require_approval: { field: "requireApproval", name: "wait for a human", fill: COLORS.approval },
  deny: { field: "deny", name: "refused", fill: COLORS.deny },
};

export function DecisionMixChart({ series, bucket, driftBuckets }: ChartProps) {
  return (
    <ChartCard
      name="decision-mix"
      title="Decisions"
      description="What the guardrail decided, per bucket."
      rows={series}
      columns={[
        bucketColumn,
        ...DECISIONS.map((decision): Column<SeriesPoint> => ({ key: decision, label: decision, value: (r) => r[DECISION_BARS[decision].field] })),
      ]}
    >
      <ResponsiveContainer>
        <BarChart data={series}>
          <Axes bucket={bucket} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {DriftMarks({ buckets: driftBuckets })}
          {DECISIONS.map((decision) => (
            <Bar
              key={decision}
              dataKey={DECISION_BARS[decision].field}
              name={DECISION_BARS[decision].name}
              stackId="d"
              fill={DECISION_BARS[decision].fill}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

export function ApprovalLatencyChart({ series, bucket }: ChartProps) {
  const rows = series.map((p) => ({ ...p, p50: seconds(p.approvalP50Ms), p90: seconds(p.approvalP90Ms) }));
  return (
    <ChartCard
      name="approval-latency"
      title="Approval latency"
      description="How long people took to decide (p50, p90, from a histogram); bars count approvals in under 2 seconds (rubber-stamping)."
      rows={rows}
      columns={[
        bucketColumn,
        { key: "p50", label: "p50 s", value: (r) => r.p50 },
        { key: "p90", label: "p90 s", value: (r) => r.p90 },
        { key: "rubber", label: "rubber stamps", value: (r) => r.rubberStamps },
      ]}
    >
      <ResponsiveContainer>
        <ComposedChart data={rows}>
          <Axes bucket={bucket} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          <Bar dataKey="rubberStamps" name="under 2 s" fill="#fca5a5" isAnimationActive={false} />
          <Line type="monotone" dataKey="p50" name="p50 s" stroke={COLORS.p50} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
          <Line type="monotone" dataKey="p90" name="p90 s" stroke={COLORS.p90} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

export function FailureChart({ series, bucket, driftBuckets }: ChartProps) {
  const rows = series.map((p) => ({ ...p, failurePct: pct(p.failureRate) }));
  return (
    <ChartCard
      name="failures"
      title="Failures"
      description="Share of executed actions that failed, and failures on subjects the fleet had already been warned about."
      rows={rows}
      columns={[
        bucketColumn,
        { key: "rate", label: "failure rate %", value: (r) => r.failurePct },
        { key: "failed", label: "failed", value: (r) => r.failed },
        { key: "repeated", label: "repeated failures", value: (r) => r.repeatedFailures },
      ]}
    >
      <ResponsiveContainer>
        <ComposedChart data={rows}>
          <Axes bucket={bucket} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {DriftMarks({ buckets: driftBuckets })}
          <Bar dataKey="repeatedFailures" name="repeated" fill={COLORS.repeat} isAnimationActive={false} />
          <Line type="monotone" dataKey="failurePct" name="failure %" stroke={COLORS.fail} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

/** Money per bucket by model: usage events and task results, plus the costs reported on action results. */
export function CostChart({ series, bucket, usage }: { series: SeriesPoint[]; bucket: Bucket; usage: { bucket: string; model: string; usd: number }[] }) {
  const actionCosts = series.filter((p) => p.costUsd > 0).map((p) => ({ bucket: p.bucket, model: "(action results)", usd: p.costUsd }));
  const { keys, rows } = pivotCost(
    [...usage, ...actionCosts],
    series.map((p) => p.bucket),
  );
  return (
    <ChartCard
      name="cost"
      title="Cost"
      description="US dollars per bucket: model usage (priced from the price table when the agent sent no amount), task results and action results."
      rows={rows}
      columns={[
        {
          key: "bucket",
          label: "bucket (UTC)",
          value: (r) => r.bucket ?? null,
          display: (r) => formatBucket(r.bucket === undefined || r.bucket === null ? null : String(r.bucket)),
        },
        ...keys.map((k) => ({ key: k, label: `${k} usd`, value: (r: Record<string, string | number>) => r[k] ?? 0 })),
      ]}
    >
      <ResponsiveContainer>
        <BarChart data={rows}>
          <Axes bucket={bucket} unit="$" />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {keys.map((k, i) => (
            <Bar key={k} dataKey={k} stackId="usd" fill={QUALITY_COLORS[i % QUALITY_COLORS.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

export function ReliabilityChart({ calibration }: { calibration: Calibration }) {
  const rows = calibration.reliability.map((b) => ({
    bin: `${b.low.toFixed(1)}–${b.high.toFixed(1)}`,
    mid: (b.low + b.high) / 2,
    count: b.count,
    successPct: pct(b.successRate),
    confidencePct: pct(b.meanConfidence),
  }));
  return (
    <ChartCard
      name="calibration"
      title="Calibration (reliability diagram)"
      description={
        calibration.samples
          ? `${calibration.samples} executed actions · Brier ${calibration.brier?.toFixed(3)} · ECE ${calibration.ece?.toFixed(3)} · ${
              calibration.threshold !== null ? `95% success from confidence ${calibration.threshold.toFixed(2)}` : "no confidence reaches 95% success yet"
            }`
          : "No executed actions with outcomes in this range."
      }
      rows={rows}
      columns={[
        { key: "bin", label: "confidence bin", value: (r) => r.bin },
        { key: "count", label: "actions", value: (r) => r.count },
        { key: "conf", label: "mean confidence %", value: (r) => r.confidencePct },
        { key: "succ", label: "success rate %", value: (r) => r.successPct },
      ]}
    >
      <ResponsiveContainer>
        <ComposedChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="bin" tick={{ fontSize: 10 }} />
          <YAxis domain={[0, 100]} unit="%" tick={{ fontSize: 11 }} width={48} />
          <Tooltip />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          <Bar dataKey="successPct" name="success rate %" fill="#4f46e5" isAnimationActive={false} />
          <Line dataKey="confidencePct" name="claimed confidence %" stroke="#94a3b8" strokeDasharray="4 4" dot isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

const QUALITY_COLORS = ["#4f46e5", "#059669", "#f59e0b", "#dc2626", "#0ea5e9", "#a855f7"];

export function QualityChart({ points, buckets, bucket }: { points: QualityPoint[]; buckets: string[]; bucket: Bucket }) {
  const { keys, rows } = pivotQuality(points, buckets);
  return (
    <ChartCard
      name="quality"
      title="Quality"
      description="Average scores: people's thumbs (1 up, 0 down) and each evaluator criterion (0 to 1)."
      rows={rows}
      columns={[
        {
          key: "bucket",
          label: "bucket (UTC)",
          value: (r) => r.bucket ?? null,
          display: (r) => formatBucket(r.bucket === undefined || r.bucket === null ? null : String(r.bucket)),
        },
        ...keys.map((k) => ({ key: k, label: k, value: (r: Record<string, string | number | null>) => r[k] ?? null })),
      ]}
    >
      <ResponsiveContainer>
        <LineChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="bucket" tickFormatter={(v: string) => bucketLabel(v, bucket)} tick={{ fontSize: 11 }} minTickGap={24} />
          <YAxis domain={[0, 1]} tick={{ fontSize: 11 }} width={48} />
          <Tooltip labelFormatter={(v) => bucketLabel(String(v), bucket)} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {keys.map((k, i) => (
            <Line
              key={k}
              type="monotone"
              dataKey={k}
              stroke={QUALITY_COLORS[i % QUALITY_COLORS.length]}
              dot={{ r: 2 }}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
