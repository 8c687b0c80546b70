"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useLiveRefresh } from "@/components/live/use-live-events";
import { useTRPC } from "@/components/trpc";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { Input, Select } from "@/components/ui/field";
import { formatDateTime } from "@/components/ui/format";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { TASK_STATUSES, UNFINISHED_TASK_STATUSES, type TaskStatus } from "@/server/schemas/enums";

export const TASK_TONE: Record<TaskStatus, BadgeTone> = {
  queued: "blue",
  leased: "green",
  running: "green",
  succeeded: "green",
  failed: "red",
  cancelled: "gray",
  suspended: "amber",
  dead: "red",
};

export function TasksView({ canOperate }: { canOperate: boolean }) {
  const trpc = useTRPC();
  const [status, setStatus] = useState<TaskStatus | undefined>(undefined);
  const [capability, setCapability] = useState<string | undefined>(undefined);
  const tasks = useQuery(trpc.fleet.tasks.queryOptions({ status, capability }));
  useLiveRefresh(["task.changed", "task.queued"], () => void tasks.refetch(), 500);
  const operate = useMutation(trpc.fleet.operate.mutationOptions({ onSuccess: () => void tasks.refetch() }));
  return (
    <Card title="Tasks">
      <div className="mb-4 grid grid-cols-2 gap-2 md:grid-cols-4">
        <Select aria-label="Status" value={status ?? ""} onChange={(e) => setStatus((e.target.value || undefined) as typeof status)}>
          <option value="">Any status</option>
          {TASK_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s === "dead" ? "dead letter" : s}
            </option>
          ))}
        </Select>
        <Input aria-label="Capability" placeholder="capability" onBlur={(e) => setCapability(e.target.value.trim() || undefined)} />
      </div>
      <ErrorText error={tasks.error ?? operate.error} />
      <Table>
        <thead>
          <tr>
            <Th>Task</Th>
            <Th>Capability</Th>
            <Th>Priority</Th>
            <Th>Status</Th>
            <Th>Agent</Th>
            <Th>Attempts</Th>
            <Th>Created</Th>
            {canOperate ? <Th className="text-right">Operate</Th> : null}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {tasks.data?.length === 0 ? <EmptyRow colSpan={8}>No tasks match.</EmptyRow> : null}
          {tasks.data?.map((t) => (
            <tr key={t.id} data-testid="task-row">
              <Td className="max-w-72">
                <Link href={`/tasks/${t.id}`} className="text-brand-700 hover:underline">
                  {t.title}
                </Link>
                {t.error ? <span className="block text-xs text-red-600">{t.error}</span> : null}
              </Td>
              <Td className="font-mono text-xs">{t.capability}</Td>
              <Td>{t.priority}</Td>
              <Td>
                <Badge tone={TASK_TONE[t.status] ?? "gray"}>{t.status}</Badge>
              </Td>
              <Td className="text-xs">{t.agent ?? "—"}</Td>
              <Td className="text-xs">
                {t.attempts} / {t.maxAttempts}
              </Td>
              <Td className="text-xs whitespace-nowrap">{formatDateTime(t.createdAt)}</Td>
              {canOperate ? (
                <Td className="space-x-1 text-right whitespace-nowrap">
                  {(UNFINISHED_TASK_STATUSES as readonly string[]).includes(t.status) ? (
                    <Button size="sm" variant="ghost" onClick={() => operate.mutate({ id: t.id, operation: { kind: "cancel" } })}>
                      Cancel
                    </Button>
                  ) : (
                    <Button size="sm" variant="secondary" onClick={() => operate.mutate({ id: t.id, operation: { kind: "requeue" } })}>
                      Requeue
                    </Button>
                  )}
                  {t.status === "queued" ? (
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => operate.mutate({ id: t.id, operation: { kind: "reprioritize", priority: Math.min(100, t.priority + 10) } })}
                    >
                      Priority +10
                    </Button>
                  ) : null}
                </Td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </Table>
    </Card>
  );
}
