"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { FleetAgent, LiveState } from "@/server/fleet/fleet-overview";
import { useLiveRefresh } from "@/components/live/use-live-events";
import { useTRPC } from "@/components/trpc";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { formatRelative } from "@/components/ui/format";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";

/** Columns a 390 px screen leaves out. */
const WIDE_ONLY = "hidden md:table-cell";

const STATE_TONE: Record<LiveState, BadgeTone> = {
  working: "green",
  idle: "gray",
  waiting_for_approval: "amber",
  paused: "amber",
  suspended: "red",
  killed: "red",
  offline: "gray",
};

/** Leads first, each followed by the specialists that report to it; then everyone else. */
function asTree(agents: FleetAgent[]): { agent: FleetAgent; depth: number }[] {
  const children = new Map<string, FleetAgent[]>();
  for (const a of agents) if (a.parentId) children.set(a.parentId, [...(children.get(a.parentId) ?? []), a]);
  const known = new Set(agents.map((a) => a.id));
  const out: { agent: FleetAgent; depth: number }[] = [];
  const visit = (agent: FleetAgent, depth: number) => {
    out.push({ agent, depth });
    for (const child of children.get(agent.id) ?? []) visit(child, depth + 1);
  };
  for (const root of agents.filter((a) => !a.parentId || !known.has(a.parentId))) visit(root, 0);
  return out;
}

export function FleetView() {
  const trpc = useTRPC();
  const fleet = useQuery(trpc.fleet.overview.queryOptions(undefined, { refetchInterval: 15_000 }));
  useLiveRefresh(
    ["task.changed", "task.queued", "action.decided", "action.result", "approval.decided", "approval.created", "control.changed"],
    () => void fleet.refetch(),
    500,
  );
  const agents = fleet.data?.agents ?? [];
  const counts = agents.reduce<Record<string, number>>((acc, a) => ((acc[a.state] = (acc[a.state] ?? 0) + 1), acc), {});

  return (
    <div className="space-y-6">
      <ErrorText error={fleet.error} />
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-7">
        {(Object.keys(STATE_TONE) as LiveState[]).map((state) => (
          <div key={state} className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
            <Badge tone={STATE_TONE[state]}>{state.replaceAll("_", " ")}</Badge>
            <p className="mt-1 text-2xl font-semibold" data-testid={`count-${state}`}>
              {counts[state] ?? 0}
            </p>
          </div>
        ))}
      </div>
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,3fr)_minmax(0,1fr)]">
        <Card title={`Agents (${agents.length})`}>
          <Table>
            <thead>
              <tr>
                <Th>Agent</Th>
                <Th>State</Th>
                {/* On a phone, name and state; the rest is one tap away on the agent's page. */}
                <Th className={WIDE_ONLY}>Current task</Th>
                <Th className={WIDE_ONLY}>Last action</Th>
                <Th className={WIDE_ONLY}>Cost today</Th>
                <Th className={WIDE_ONLY}>Success (7 d)</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {agents.length === 0 ? <EmptyRow colSpan={6}>No agents yet: register them in Settings, or run the demo fleet (npm run demo).</EmptyRow> : null}
              {asTree(agents).map(({ agent, depth }) => (
                <tr key={agent.id} data-testid={`fleet-agent-${agent.name}`}>
                  <Td>
                    <div style={{ paddingLeft: depth * 20 }}>
                      {depth > 0 ? <span className="mr-1 text-slate-600">└</span> : null}
                      <Link href={`/fleet/${agent.id}`} className="font-medium break-all text-slate-900 hover:underline md:break-normal md:whitespace-nowrap">
                        {agent.name}
                      </Link>
                      <span className="block text-xs text-slate-500 md:ml-2 md:inline">
                        {agent.role} · {agent.team}
                      </span>
                    </div>
                  </Td>
                  <Td>
                    <Badge tone={STATE_TONE[agent.state]}>{agent.state.replaceAll("_", " ")}</Badge>
                    <span className="block text-xs whitespace-nowrap text-slate-600 md:whitespace-normal">seen {formatRelative(agent.lastSeenAt)}</span>
                  </Td>
                  <Td className={`max-w-56 text-xs ${WIDE_ONLY}`}>
                    {agent.currentTask ? (
                      <Link href={`/tasks/${agent.currentTask.id}`} className="text-brand-700 hover:underline">
                        {agent.currentTask.title}
                      </Link>
                    ) : (
                      "—"
                    )}
                  </Td>
                  <Td className={`max-w-64 text-xs ${WIDE_ONLY}`}>
                    {agent.lastAction ? (
                      <Link href={`/actions/${agent.lastAction.id}`} className="font-mono text-brand-700 hover:underline">
                        {agent.lastAction.action}
                      </Link>
                    ) : (
                      "—"
                    )}
                    {agent.lastAction ? <span className="block text-slate-600">{agent.lastAction.status.replaceAll("_", " ")}</span> : null}
                  </Td>
                  <Td className={WIDE_ONLY}>${agent.costToday.toFixed(2)}</Td>
                  <Td className={WIDE_ONLY}>{agent.successRate === null ? "—" : `${Math.round(agent.successRate * 100)}%`}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
        <Card
          title="Queues"
          actions={
            <Link href="/tasks" className="text-xs text-brand-700 hover:underline">
              All tasks
            </Link>
          }
        >
          {fleet.data?.queues.length === 0 ? <p className="text-sm text-slate-500">Every queue is empty.</p> : null}
          <ul className="divide-y divide-slate-100 text-sm">
            {fleet.data?.queues.map((q) => (
              <li key={q.capability} className="flex justify-between py-2" data-testid={`queue-${q.capability}`}>
                <span className="font-mono">{q.capability}</span>
                <span>
                  {q.depth} queued · oldest {q.oldestSeconds < 120 ? `${q.oldestSeconds} s` : `${Math.round(q.oldestSeconds / 60)} min`}
                </span>
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </div>
  );
}
