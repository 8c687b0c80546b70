"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useLiveEvents } from "@/components/live/use-live-events";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ErrorText } from "@/components/ui/error-text";
import { Input, Select } from "@/components/ui/field";
import { formatDateTime } from "@/components/ui/format";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { DECISION_TONE, label, STATUS_TONE } from "@/components/inbox/format";
import { ACTION_STATUSES, DECISIONS, type ActionStatus, type Decision } from "@/server/schemas/enums";

type Filters = { agent?: string; tool?: string; decision?: Decision; status?: ActionStatus };

export function ActionsTable() {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<Filters>({});
  const actions = useInfiniteQuery(trpc.actions.list.infiniteQueryOptions({ ...filters, limit: 50 }, { getNextPageParam: (p) => p.nextCursor ?? undefined }));
  useLiveEvents(["action.decided", "action.result", "approval.decided"], () => void actions.refetch());
  const rows = actions.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <div className="mb-4 grid grid-cols-2 gap-2 md:grid-cols-4">
        <Input aria-label="Agent" placeholder="agent name" onBlur={(e) => setFilters({ ...filters, agent: e.target.value.trim() || undefined })} />
        <Input aria-label="Tool" placeholder="tool" onBlur={(e) => setFilters({ ...filters, tool: e.target.value.trim() || undefined })} />
        <Select
          aria-label="Decision"
          value={filters.decision ?? ""}
          onChange={(e) => setFilters({ ...filters, decision: (e.target.value || undefined) as Filters["decision"] })}
        >
          <option value="">Any decision</option>
          {DECISIONS.map((d) => (
            <option key={d} value={d}>
              {label(d)}
            </option>
          ))}
        </Select>
        <Select
          aria-label="Status"
          value={filters.status ?? ""}
          onChange={(e) => setFilters({ ...filters, status: (e.target.value || undefined) as Filters["status"] })}
        >
          <option value="">Any status</option>
          {ACTION_STATUSES.map((s) => (
            <option key={s} value={s}>
              {label(s)}
            </option>
          ))}
        </Select>
      </div>
      <ErrorText error={actions.error} />
      <Table>
        <thead>
          <tr>
            <Th>When</Th>
            <Th>Agent</Th>
            <Th>Action</Th>
            <Th>Tool</Th>
            <Th>Confidence</Th>
            <Th>Decision</Th>
            <Th>Status</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {!actions.isLoading && rows.length === 0 ? <EmptyRow colSpan={7}>No actions match.</EmptyRow> : null}
          {rows.map((a) => (
            <tr key={a.id} data-testid="action-row">
              <Td className="text-xs whitespace-nowrap">{formatDateTime(a.createdAt)}</Td>
              <Td>{a.agent}</Td>
              <Td className="max-w-md">
                <Link href={`/actions/${a.id}`} className="font-mono text-xs text-brand-700 hover:underline">
                  {a.action}
                </Link>
              </Td>
              <Td className="text-xs">{a.tool ?? "—"}</Td>
              <Td>{a.confidence.toFixed(2)}</Td>
              <Td>
                <Badge tone={DECISION_TONE[a.decision]}>{label(a.decision)}</Badge>
              </Td>
              <Td>
                <Badge tone={STATUS_TONE[a.status] ?? "gray"}>{label(a.status)}</Badge>
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
      {actions.hasNextPage ? (
        <div className="mt-4 text-center">
          <Button variant="secondary" onClick={() => actions.fetchNextPage()} disabled={actions.isFetchingNextPage}>
            Older actions
          </Button>
        </div>
      ) : null}
    </div>
  );
}
