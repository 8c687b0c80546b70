"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useLiveRefresh } from "@/components/live/use-live-events";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { formatRelative } from "@/components/ui/format";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { ControlActions } from "./control-actions";
import { ControlEventsTable, STATE_TONE } from "./control-events-table";
import { EventDetail } from "./event-detail";

export function ControlConsole() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const overview = useQuery(trpc.control.overview.queryOptions());
  const history = useQuery(trpc.control.history.queryOptions());
  const [selected, setSelected] = useState<number | null>(null);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.control.overview.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.control.history.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.control.event.queryKey() });
  };
  useLiveRefresh(["control.changed", "control.acked", "rollback.ordered", "rollback.updated"], refresh);
  const epoch = selected ?? history.data?.[0]?.epoch ?? null;
  const fleet = overview.data?.fleet;
  const latest = history.data?.[0];

  return (
    <div className="space-y-6">
      {fleet ? (
        <div
          className={`rounded-lg px-4 py-3 text-sm ${fleet.state === "running" ? "bg-emerald-50 text-emerald-900" : "bg-red-50 text-red-900"}`}
          data-testid="fleet-state"
        >
          The fleet is <strong>{fleet.state}</strong>
          {fleet.reason ? ` — ${fleet.reason}` : ""}
          {fleet.changedBy ? ` (by ${fleet.changedBy}, ${formatRelative(fleet.changedAt)})` : ""}
          {/* First thing on a phone: whether the last change reached the agents. */}
          {latest ? (
            <span className="block font-medium" data-testid="latest-ack">
              Last change ({latest.state === "running" ? "resume" : latest.state} {latest.scope}): acknowledged {latest.acked} of {latest.targets}
            </span>
          ) : null}
        </div>
      ) : null}
      <ErrorText error={overview.error ?? history.error} />
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">
        {overview.data ? (
          <ControlActions
            teams={overview.data.teams}
            agents={overview.data.agents}
            states={{ fleet: overview.data.fleet.state, scopes: overview.data.scopes, agents: overview.data.agents }}
            onDone={(e) => (setSelected(e), refresh())}
          />
        ) : null}
        {epoch !== null ? <EventDetail epoch={epoch} /> : <Card title="Acknowledgements">No control changes yet.</Card>}
      </div>
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
        <Card title="Agents now">
          <Table>
            <thead>
              <tr>
                <Th>Agent</Th>
                <Th>Team</Th>
                <Th>State</Th>
                <Th>Last seen</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {overview.data?.agents.length === 0 ? <EmptyRow colSpan={4}>No agents.</EmptyRow> : null}
              {overview.data?.agents.map((a) => (
                <tr key={a.id} data-testid={`control-agent-${a.name}`}>
                  <Td className="font-medium">{a.name}</Td>
                  <Td>{a.team}</Td>
                  <Td>
                    <Badge tone={STATE_TONE[a.state] ?? "gray"}>{a.state}</Badge>
                    {a.reason && a.state !== "running" ? <span className="ml-2 text-xs text-slate-500">{a.reason}</span> : null}
                  </Td>
                  <Td className="text-xs">{formatRelative(a.lastSeenAt)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
        <Card title="History">
          <ControlEventsTable
            events={history.data ?? []}
            empty="No control changes yet."
            ackHeader="Acked"
            ack={(e) => `${e.acked} of ${e.targets}`}
            selected={epoch}
            onSelect={setSelected}
          />
        </Card>
      </div>
    </div>
  );
}
