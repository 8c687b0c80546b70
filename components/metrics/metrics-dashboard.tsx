"use client";

import { keepPreviousData, skipToken, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { useLiveRefresh } from "@/components/live/use-live-events";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { formatDateTime } from "@/components/ui/format";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { ApprovalLatencyChart, CostChart, DecisionMixChart, FailureChart, InterventionChart, QualityChart, ReliabilityChart } from "./metrics-charts";
import { MetricsFilters, rangeOf, type MetricsFilterState } from "./metrics-filters";
import { GuardrailAdvice } from "./guardrail-advice";
import { formatUsd } from "@/server/schemas/cost";
import { bucketFor } from "@/server/metrics/overview";

// The previous answer stays on screen while a new range loads (charts redraw instead of blinking),
// and every query polls too: the rollups trail the actions by a pass (3 s), so the refetch that
// follows an event can still miss it, and the next poll catches up.
const LIVE = { placeholderData: keepPreviousData, refetchInterval: 15_000 } as const;

const percent = (x: number | null | undefined) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);
const secondsText = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? "—" : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;

function Tile({ label, value, hint, tone }: { label: string; value: string; hint?: string; tone?: "red" | "amber" }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid={`tile-${label.toLowerCase().replace(/[^a-z]+/g, "-")}`}>
      <p className="text-xs text-slate-500">{label}</p>
      <p className={`mt-1 text-2xl font-semibold ${tone === "red" ? "text-red-600" : tone === "amber" ? "text-amber-700" : "text-slate-900"}`}>{value}</p>
      {hint ? <p className="mt-1 text-xs text-slate-600">{hint}</p> : null}
    </div>
  );
}

/**
 * /metrics and /metrics/agents/[id]: the fleet (or one agent) over a range. The numbers come from
 * rollups the server folds every few seconds; live events refetch them.
 */
export function MetricsDashboard({ agentId, canReplay }: { agentId?: string; canReplay: boolean }) {
  const trpc = useTRPC();
  const [filter, setFilter] = useState<MetricsFilterState>({ preset: "24h", customFrom: "", customTo: "", agentId: agentId ?? "", team: "" });
  // Recomputed when the filter changes or the live refresh ticks, so "the last 24 h" moves on.
  const [tick, setTick] = useState(0);
  const range = useMemo(() => rangeOf(filter), [filter, tick]); // eslint-disable-line react-hooks/exhaustive-deps
  const scope = range ? { ...range, ...(filter.agentId ? { agentId: filter.agentId } : {}), ...(filter.team ? { team: filter.team } : {}) } : null;
  const input = scope ?? skipToken;
  const agents = useQuery(trpc.agents.list.queryOptions());
  const teams = useMemo(() => [...new Set((agents.data ?? []).map((a) => a.team))].sort(), [agents.data]);
  const overview = useQuery(trpc.metrics.overview.queryOptions(input, { ...LIVE }));
  const drift = useQuery(trpc.metrics.drift.queryOptions(input, { ...LIVE }));
  const learning = useQuery(trpc.metrics.learning.queryOptions(input, { ...LIVE }));
  // Quality takes the agents themselves: a team is its agents.
  const teamAgents = filter.team ? (agents.data ?? []).filter((a) => a.team === filter.team).map((a) => a.id) : undefined;
  const qualityInput =
    range && (!filter.team || agents.data)
      ? { ...range, bucket: bucketFor(range.from, range.to), ...(filter.agentId ? { agentIds: [filter.agentId] } : teamAgents ? { agentIds: teamAgents } : {}) }
      : skipToken;
  const quality = useQuery(trpc.quality.series.queryOptions(qualityInput, { ...LIVE }));
  const topTasks = useQuery(
    trpc.cost.topTasks.queryOptions(
      qualityInput === skipToken ? skipToken : { window: { from: qualityInput.from, to: qualityInput.to, agentIds: qualityInput.agentIds }, limit: 10 },
      {
        ...LIVE,
      },
    ),
  );
  // Action costs come with the overview (its rollup); usage and task costs from the cost series.
  const cost = useQuery(
    trpc.cost.series.queryOptions(qualityInput === skipToken ? skipToken : { ...qualityInput, perAgent: false, sources: ["usage", "tasks"] }, {
      ...LIVE,
    }),
  );
  // The rollup folds changes every 3 s; refetch a little after activity, at most every 5 s.
  useLiveRefresh(
    ["action.decided", "action.result", "approval.decided"],
    () => {
      setTick((t) => t + 1);
      for (const query of [overview, drift, learning, quality, cost, topTasks]) void query.refetch();
    },
    5_000,
  );

  const data = overview.data;
  const driftBuckets = useMemo(() => {
    if (!data || !drift.data) return [];
    const starts = data.series.map((p) => Date.parse(p.bucket));
    return [
      ...new Set(
        drift.data
          .map(
            (e) =>
              data.series[
                Math.max(
                  0,
                  starts.findLastIndex((s) => s <= new Date(e.detectedAt).getTime()),
                )
              ]?.bucket,
          )
          .filter((b): b is string => Boolean(b)),
      ),
    ];
  }, [data, drift.data]);
  const agentName = agents.data?.find((a) => a.id === agentId)?.name;

  return (
    <div className="space-y-6">
      <MetricsFilters value={filter} onChange={setFilter} agents={agents.data ?? []} teams={teams} lockAgent={Boolean(agentId)} />
      {!range ? <p className="text-sm text-red-600">Choose a start before the end.</p> : null}
      <ErrorText error={overview.error} />
      {data ? (
        <>
          <div className="grid grid-cols-2 gap-4 md:grid-cols-4 xl:grid-cols-7" data-testid="metrics-tiles" data-agent={filter.agentId || "fleet"}>
            <Tile label="Decisions" value={data.totals.decisions.toLocaleString()} hint={`${data.totals.pending} waiting`} />
            <Tile
              label="Intervention rate"
              value={percent(data.totals.intervention.rate)}
              hint={`${data.totals.intervention.interventions} of ${data.totals.intervention.decided} needed a person`}
              tone={data.totals.intervention.flagged ? "red" : undefined}
            />
            <Tile label="Approval latency" value={secondsText(data.totals.approvalP50Ms)} hint={`p90 ${secondsText(data.totals.approvalP90Ms)}`} />
            <Tile
              label="Rubber stamps"
              value={data.totals.rubberStamps.toLocaleString()}
              hint="approvals in under 2 s"
              tone={data.totals.rubberStamps > 0 ? "amber" : undefined}
            />
            <Tile label="Failure rate" value={percent(data.totals.failureRate)} hint={`repeated ${percent(data.totals.repeatedFailureRate)} of failures`} />
            <Tile
              label="Cost"
              value={formatUsd((cost.data ?? []).reduce((sum, r) => sum + r.usd, 0) + data.totals.costUsd)}
              hint={`${(cost.data ?? []).reduce((n, r) => n + r.unpricedEvents, 0)} unpriced usage events`}
            />
            <Tile
              label="Brier score"
              value={data.calibration.brier === null ? "—" : data.calibration.brier.toFixed(3)}
              hint={`ECE ${data.calibration.ece === null ? "—" : data.calibration.ece.toFixed(3)}`}
            />
          </div>
          <GuardrailAdvice advice={data.advice} suggestedThreshold={data.calibration.threshold} canReplay={canReplay} />
          <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">
            <InterventionChart series={data.series} bucket={data.bucket} driftBuckets={driftBuckets} />
            <DecisionMixChart series={data.series} bucket={data.bucket} driftBuckets={driftBuckets} />
            <ApprovalLatencyChart series={data.series} bucket={data.bucket} driftBuckets={driftBuckets} />
            <FailureChart series={data.series} bucket={data.bucket} driftBuckets={driftBuckets} />
            <ReliabilityChart calibration={data.calibration} />
            <CostChart series={data.series} bucket={data.bucket} usage={cost.data ?? []} />
            <QualityChart points={quality.data?.series ?? []} buckets={data.series.map((p) => p.bucket)} bucket={data.bucket} />
          </div>
          {learning.data ? (
            <Card title="Learning from memory">
              <div className="grid grid-cols-2 gap-4 md:grid-cols-4" data-testid="learning">
                <Tile label="Recalls per decision" value={learning.data.decisions ? (learning.data.recalls / learning.data.decisions).toFixed(2) : "—"} />
                <Tile
                  label="Repeated failures"
                  value={percent(learning.data.failures ? learning.data.repeatedFailures / learning.data.failures : null)}
                  hint={`${learning.data.repeatedFailures} of ${learning.data.failures} failures`}
                />
                <Tile label="Warned decisions" value={learning.data.warnedDecisions.toLocaleString()} hint="handed a matching past failure" />
                <Tile
                  label="Plans changed"
                  value={percent(learning.data.warnedDecisions ? learning.data.planChanges / learning.data.warnedDecisions : null)}
                  hint={`${learning.data.planChanges} of the warned`}
                />
              </div>
            </Card>
          ) : null}
          <Card title="Most expensive tasks">
            <Table>
              <thead>
                <tr>
                  <Th>Task</Th>
                  <Th>Capability</Th>
                  <Th>Status</Th>
                  <Th>Model calls</Th>
                  <Th>Cost</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100" data-testid="top-tasks">
                {topTasks.data?.length === 0 ? <EmptyRow colSpan={5}>No model usage tied to a task in this range.</EmptyRow> : null}
                {topTasks.data?.map((t) => (
                  <tr key={t.taskId}>
                    <Td>
                      <Link href={`/tasks/${t.taskId}`} className="text-brand-700 hover:underline">
                        {t.title}
                      </Link>
                    </Td>
                    <Td>{t.capability}</Td>
                    <Td>{t.status}</Td>
                    <Td>
                      {t.events.toLocaleString()}
                      {t.unpricedEvents ? ` (${t.unpricedEvents} unpriced)` : ""}
                    </Td>
                    <Td className="font-mono text-xs">{formatUsd(t.usd)}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </Card>
          <Card title="Drift events">
            <Table>
              <thead>
                <tr>
                  <Th>Agent</Th>
                  <Th>Statistic</Th>
                  <Th>Value</Th>
                  <Th>Threshold</Th>
                  <Th>Detected</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100" data-testid="drift-events">
                {drift.data?.length === 0 ? <EmptyRow colSpan={5}>No drift in this range.</EmptyRow> : null}
                {drift.data?.map((e) => (
                  <tr key={e.id}>
                    <Td>
                      <Link href={`/metrics/agents/${e.agentId}`} className="text-brand-700 hover:underline">
                        {e.agentName}
                      </Link>
                    </Td>
                    <Td>
                      <Badge tone="amber">{e.statistic.replace(/_/g, " ")}</Badge>
                    </Td>
                    <Td className="font-mono text-xs">{e.value.toFixed(3)}</Td>
                    <Td className="font-mono text-xs">{e.threshold}</Td>
                    <Td className="text-xs">{formatDateTime(e.detectedAt)}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </Card>
          {agentId ? null : (
            <Card title="Agents">
              <Table>
                <thead>
                  <tr>
                    <Th>Agent</Th>
                    <Th>Team</Th>
                    <Th>Decisions</Th>
                    <Th>Intervention</Th>
                    <Th>Failure rate</Th>
                    <Th>Approval p50</Th>
                    <Th>Rubber stamps</Th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100" data-testid="metrics-agents">
                  {data.agents.length === 0 ? <EmptyRow colSpan={7}>No decisions in this range.</EmptyRow> : null}
                  {data.agents.map((a) => (
                    <tr key={a.agentId}>
                      <Td>
                        <Link href={`/metrics/agents/${a.agentId}`} className="text-brand-700 hover:underline">
                          {a.name}
                        </Link>
                      </Td>
                      <Td>{a.team}</Td>
                      <Td>{a.decisions.toLocaleString()}</Td>
                      <Td>{a.intervention.flagged ? <Badge tone="red">{percent(a.intervention.rate)}</Badge> : percent(a.intervention.rate)}</Td>
                      <Td>{percent(a.failureRate)}</Td>
                      <Td>{secondsText(a.approvalP50Ms)}</Td>
                      <Td>{a.rubberStamps}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            </Card>
          )}
          <p className="text-xs text-slate-600">
            {agentName ? `${agentName} · ` : ""}
            {data.bucket === "hour" ? "Hourly" : "Daily"} buckets in UTC · refreshed live as actions are decided
          </p>
        </>
      ) : null}
    </div>
  );
}
