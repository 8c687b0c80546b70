"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { ErrorText } from "@/components/ui/error-text";
import { formatDateTime } from "@/components/ui/format";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { label, STATUS_TONE } from "./format";

/** Decided approvals, newest first: expired ones are shown as expired, never as rejected. */
export function DecidedHistory() {
  const trpc = useTRPC();
  const decided = useQuery(trpc.approvals.decided.queryOptions());
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <ErrorText error={decided.error} />
      <Table>
        <thead>
          <tr>
            <Th>Action</Th>
            <Th>Agent</Th>
            <Th>Outcome</Th>
            <Th>Decided by</Th>
            <Th>When</Th>
            <Th>Reason / note</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {decided.data?.length === 0 ? <EmptyRow colSpan={6}>No decisions yet.</EmptyRow> : null}
          {decided.data?.map((item) => (
            <tr key={item.id} data-testid="history-row">
              <Td className="max-w-md">
                <Link href={`/actions/${item.id}`} className="font-mono text-xs text-brand-700 hover:underline">
                  {item.action}
                </Link>
              </Td>
              <Td>{item.agent}</Td>
              <Td>
                <Badge tone={STATUS_TONE[item.status] ?? "gray"}>{label(item.status)}</Badge>
              </Td>
              <Td>{item.decidedBy === "expiry" ? "—" : item.decidedBy}</Td>
              <Td className="text-xs whitespace-nowrap">{formatDateTime(item.decidedAt)}</Td>
              <Td className="text-xs">{item.reason ?? (item.argsEdited ? "approved with edited args" : "")}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
