"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useLiveRefresh } from "@/components/live/use-live-events";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { DECISION_TONE, STATUS_TONE, label } from "@/components/inbox/format";
import { ControlEventsTable } from "@/components/control/control-events-table";
import { AgentMemories } from "./agent-memories";
import { TASK_TONE } from "./tasks-view";

export function AgentPage({ id }: { id: string }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.fleet.agent.queryOptions({ id }));
  useLiveRefresh(["task.changed", "action.decided", "action.result", "approval.decided", "control.changed"], () => void detail.refetch(), 500);
  if (!detail.data) return <ErrorText error={detail.error} />;
  const { agent, control, tasks, actions, controlHistory } = detail.data;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">{agent.name}</h1>
        <Badge tone={agent.role === "lead" ? "blue" : "gray"}>{agent.role}</Badge>
        <Badge tone="gray">team {agent.team}</Badge>
        <Badge tone={control.state === "running" ? "green" : "red"}>{control.state}</Badge>
        <span className="text-sm text-slate-500">seen {formatRelative(agent.lastSeenAt)}</span>
      </div>
      <p className="text-sm text-slate-600">
        Capabilities {agent.capabilities.join(", ") || "none"} · tools {agent.tools.join(", ") || "none"} · scopes {agent.scopes.join(", ") || "any"}
      </p>
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">
        <Card title="Recent actions">
          <Table>
            <thead>
              <tr>
                <Th>Action</Th>
                <Th>Decision</Th>
                <Th>Status</Th>
                <Th>When</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {actions.length === 0 ? <EmptyRow colSpan={4}>No actions yet.</EmptyRow> : null}
              {actions.map((a) => (
                <tr key={a.id}>
                  <Td>
                    <Link href={`/actions/${a.id}`} className="font-mono text-xs text-brand-700 hover:underline">
                      {a.action}
                    </Link>
                  </Td>
                  <Td>
                    <Badge tone={DECISION_TONE[a.decision]}>{label(a.decision)}</Badge>
                  </Td>
                  <Td>
                    <Badge tone={STATUS_TONE[a.status] ?? "gray"}>{label(a.status)}</Badge>
                  </Td>
                  <Td className="text-xs whitespace-nowrap">{formatRelative(a.createdAt)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
        <Card title="Recent tasks">
          <Table>
            <thead>
              <tr>
                <Th>Task</Th>
                <Th>Status</Th>
                <Th>Created</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {tasks.length === 0 ? <EmptyRow colSpan={3}>No tasks yet.</EmptyRow> : null}
              {tasks.map((t) => (
                <tr key={t.id}>
                  <Td>
                    <Link href={`/tasks/${t.id}`} className="text-brand-700 hover:underline">
                      {t.title}
                    </Link>
                  </Td>
                  <Td>
                    <Badge tone={TASK_TONE[t.status] ?? "gray"}>{t.status}</Badge>
                  </Td>
                  <Td className="text-xs whitespace-nowrap">{formatDateTime(t.createdAt)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
      </div>
      <AgentMemories agentId={agent.id} />
      <Card title="Control history">
        <ControlEventsTable
          events={controlHistory}
          empty="Never paused, suspended or killed."
          ackHeader="Acknowledged"
          ack={(e) => (!e.reached ? "not yet registered" : e.ack ? `after ${e.ack.latencyMs} ms` : "not acknowledged")}
        />
      </Card>
    </div>
  );
}
