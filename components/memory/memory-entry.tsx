"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { formatDateTime } from "@/components/ui/format";
import { KIND_TONE } from "./memory-browser";

export function MemoryEntry({ id, canRetire }: { id: string; canRetire: boolean }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.memory.get.queryOptions({ id }));
  const retire = useMutation(trpc.memory.setRetired.mutationOptions({ onSuccess: () => void detail.refetch() }));
  if (!detail.data) return <ErrorText error={detail.error} />;
  const { memory: m, action, task, recalls } = detail.data;
  return (
    <Card
      title={<span className="font-mono">{m.subject}</span>}
      actions={
        canRetire ? (
          <Button variant={m.retiredAt ? "secondary" : "danger"} size="sm" onClick={() => retire.mutate({ id, retired: !m.retiredAt })} disabled={retire.isPending}>
            {m.retiredAt ? "Restore" : "Retire"}
          </Button>
        ) : null
      }
    >
      <div className="flex flex-wrap gap-2">
        <Badge tone={KIND_TONE[m.kind] ?? "gray"}>{m.kind.replace("_", " ")}</Badge>
        <Badge tone="gray">{m.scope}</Badge>
        {m.retiredAt ? <Badge tone="red">retired by {m.retiredBy}</Badge> : null}
        {m.tags.map((t) => (
          <Badge key={t} tone="blue">
            {t}
          </Badge>
        ))}
      </div>
      <p className="mt-4 text-sm whitespace-pre-wrap text-slate-800" data-testid="memory-body">
        {m.body}
      </p>
      <dl className="mt-4 grid grid-cols-2 gap-3 text-sm">
        <div>
          <dt className="text-xs text-slate-500">Learned from</dt>
          <dd>
            {action ? (
              <Link href={`/actions/${action.id}`} className="text-brand-700 hover:underline" data-testid="memory-action">
                {action.action} ({action.status.replaceAll("_", " ")})
              </Link>
            ) : (
              "—"
            )}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Task</dt>
          <dd>
            {task ? (
              <Link href={`/tasks/${task.id}`} className="text-brand-700 hover:underline">
                {task.title}
              </Link>
            ) : (
              "—"
            )}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">By</dt>
          <dd>
            {action ? (
              <Link href={`/fleet/${action.agent.id}`} className="text-brand-700 hover:underline">
                {m.authorLabel}
              </Link>
            ) : (
              m.authorLabel
            )}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Learned / recalled</dt>
          <dd>
            {m.occurrences}× · recalled {recalls}× · last {formatDateTime(m.lastRecalledAt)}
          </dd>
        </div>
      </dl>
      <p className="mt-4 text-xs text-slate-400">
        First learned {formatDateTime(m.createdAt)}, last {formatDateTime(m.lastLearnedAt)}
      </p>
      <ErrorText error={retire.error} />
    </Card>
  );
}
