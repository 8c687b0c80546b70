"use client";

import type { ReactNode } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { formatDateTime } from "@/components/ui/format";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";

export const STATE_TONE: Record<string, BadgeTone> = { running: "green", paused: "amber", suspended: "red", killed: "red" };

type ControlEventRow = { epoch: number; at: Date | string; scope: string; state: string; actor: string; reason: string | null };

/** Control changes, newest first: the console's history and an agent's own. */
export function ControlEventsTable<E extends ControlEventRow>(props: {
  events: E[];
  empty: string;
  ackHeader: string;
  ack: (event: E) => ReactNode;
  selected?: number | null;
  onSelect?: (epoch: number) => void;
}) {
  return (
    <Table>
      <thead>
        <tr>
          <Th>Epoch</Th>
          <Th>When</Th>
          <Th>Scope</Th>
          <Th>Level</Th>
          <Th>Who and why</Th>
          <Th>{props.ackHeader}</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {props.events.length === 0 ? <EmptyRow colSpan={6}>{props.empty}</EmptyRow> : null}
        {props.events.map((e) => (
          <tr
            key={e.epoch}
            onClick={props.onSelect ? () => props.onSelect!(e.epoch) : undefined}
            className={props.onSelect ? `cursor-pointer ${e.epoch === props.selected ? "bg-brand-50" : "hover:bg-slate-50"}` : undefined}
            data-testid="control-history-row"
          >
            <Td className="font-mono text-xs">{e.epoch}</Td>
            <Td className="text-xs whitespace-nowrap">{formatDateTime(e.at)}</Td>
            <Td className="font-mono text-xs">{e.scope}</Td>
            <Td>
              <Badge tone={STATE_TONE[e.state] ?? "gray"}>{e.state === "running" ? "resume" : e.state}</Badge>
            </Td>
            <Td className="text-xs">
              {e.actor}: {e.reason}
            </Td>
            <Td className="text-xs whitespace-nowrap">{props.ack(e)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
