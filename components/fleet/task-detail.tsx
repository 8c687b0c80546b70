"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useLiveRefresh } from "@/components/live/use-live-events";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { formatDateTime } from "@/components/ui/format";
import { ItemScores } from "@/components/quality/item-scores";
import { TASK_TONE } from "./tasks-view";

export function TaskDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.fleet.task.queryOptions({ id }));
  useLiveRefresh(["task.changed"], () => void detail.refetch(), 500);
  if (!detail.data) return <ErrorText error={detail.error} />;
  const { task, children, events } = detail.data;
  return (
    <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <div className="space-y-6">
        <Card title={task.title}>
          <div className="flex flex-wrap gap-2">
            <Badge tone={TASK_TONE[task.status] ?? "gray"}>{task.status}</Badge>
            <Badge tone="gray">{task.capability}</Badge>
            <Badge tone="gray">priority {task.priority}</Badge>
          </div>
          <p className="mt-3 text-sm text-slate-600">
            Created by {task.createdBy} · attempts {task.attempts} of {task.maxAttempts} · {task.agent ? `leased to ${task.agent}` : "not leased"}
            {task.parentId ? (
              <>
                {" "}
                · part of{" "}
                <Link className="text-brand-700 hover:underline" href={`/tasks/${task.parentId}`}>
                  its parent
                </Link>
              </>
            ) : null}
          </p>
          {task.error ? <p className="mt-2 text-sm text-red-700">Last error: {task.error}</p> : null}
          <h3 className="mt-4 text-xs font-semibold text-slate-500 uppercase">Payload</h3>
          <pre className="mt-1 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100">{JSON.stringify(task.payload, null, 2)}</pre>
          {task.checkpoint ? (
            <>
              <h3 className="mt-4 text-xs font-semibold text-slate-500 uppercase">Checkpoint</h3>
              <pre className="mt-1 overflow-auto rounded bg-slate-100 p-3 text-xs">{JSON.stringify(task.checkpoint, null, 2)}</pre>
            </>
          ) : null}
          {task.output ? (
            <>
              <h3 className="mt-4 text-xs font-semibold text-slate-500 uppercase">Output</h3>
              <pre className="mt-1 overflow-auto rounded bg-slate-100 p-3 text-xs">{JSON.stringify(task.output, null, 2)}</pre>
            </>
          ) : null}
        </Card>
        <ItemScores target={{ taskId: id }} />
        <Card title={`Subtasks (${children.length})`}>
          {children.length === 0 ? <p className="text-sm text-slate-500">None.</p> : null}
          <ul className="space-y-1 text-sm">
            {children.map((c) => (
              <li key={c.id}>
                <Badge tone={TASK_TONE[c.status] ?? "gray"}>{c.status}</Badge>{" "}
                <Link href={`/tasks/${c.id}`} className="text-brand-700 hover:underline">
                  {c.title}
                </Link>{" "}
                <span className="text-xs text-slate-500">({c.capability})</span>
                {c.children.length > 0 ? (
                  <ul className="mt-1 ml-6 space-y-1">
                    {c.children.map((g) => (
                      <li key={g.id}>
                        <Badge tone={TASK_TONE[g.status] ?? "gray"}>{g.status}</Badge>{" "}
                        <Link href={`/tasks/${g.id}`} className="text-brand-700 hover:underline">
                          {g.title}
                        </Link>
                      </li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ul>
        </Card>
      </div>
      <Card title="Timeline">
        <ol className="space-y-3 border-l border-slate-200 pl-4">
          {events.map((e) => (
            <li key={e.id}>
              <p className="text-sm font-medium">{e.type.replaceAll("_", " ")}</p>
              <p className="text-xs text-slate-500">
                {formatDateTime(e.at)}
                {e.agent ? ` · ${e.agent}` : ""}
              </p>
            </li>
          ))}
        </ol>
      </Card>
    </div>
  );
}
