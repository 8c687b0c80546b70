"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { formatDateTime } from "@/components/ui/format";
import { KIND_TONE } from "./memory-browser";
import { MemoryEditForm } from "./memory-edit-form";
import { MemoryMerge } from "./memory-merge";

export function MemoryEntry({ id, canRetire }: { id: string; canRetire: boolean }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.memory.get.queryOptions({ id }));
  const retire = useMutation(trpc.memory.setRetired.mutationOptions({ onSuccess: () => void detail.refetch() }));
  const [editing, setEditing] = useState(false);
  if (!detail.data) return <ErrorText error={detail.error} />;
  const { memory: m, action, task, recalls, versions, supersededBy, mergedFrom, learned, changedDecisions } = detail.data;
  return (
    <div className="space-y-4">
      <Card
        title={<span className="font-mono">{m.subject}</span>}
        actions={
          canRetire ? (
            <div className="flex gap-2">
              {!m.retiredAt && !editing ? (
                <Button variant="secondary" size="sm" onClick={() => setEditing(true)}>
                  Edit
                </Button>
              ) : null}
              <Button
                variant={m.retiredAt ? "secondary" : "danger"}
                size="sm"
                onClick={() => retire.mutate({ id, retired: !m.retiredAt })}
                disabled={retire.isPending}
              >
                {m.retiredAt ? "Restore" : "Retire"}
              </Button>
            </div>
          ) : null
        }
      >
        {editing ? (
          <MemoryEditForm
            memory={m}
            onDone={() => {
              setEditing(false);
              void detail.refetch();
            }}
          />
        ) : (
          <>
            <div className="flex flex-wrap gap-2">
              <Badge tone={KIND_TONE[m.kind] ?? "gray"}>{m.kind.replace("_", " ")}</Badge>
              <Badge tone="gray">{m.scope}</Badge>
              <Badge tone="gray">version {m.version}</Badge>
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
            <p className="mt-4 text-xs text-slate-600">
              First learned {formatDateTime(m.createdAt)}, last {formatDateTime(m.lastLearnedAt)}
            </p>
            <p className="mt-1 text-xs text-slate-500" data-testid="memory-topic">
              Recalled for: operation <span className="font-mono text-slate-700">{m.operation ?? "none"}</span> · environment{" "}
              <span className="font-mono text-slate-700">{m.environment ?? "any"}</span> · resource{" "}
              <span className="font-mono text-slate-700">{m.names.length > 0 ? m.names.join(" ") : "none"}</span>
            </p>
            {supersededBy ? (
              <p className="mt-2 text-sm">
                Merged into{" "}
                <Link href={`/memory/${supersededBy.id}`} className="font-mono text-brand-700 hover:underline">
                  {supersededBy.subject}
                </Link>
              </p>
            ) : null}
            {mergedFrom.length > 0 ? (
              <p className="mt-2 text-sm text-slate-600">
                Holds {mergedFrom.length} merged {mergedFrom.length === 1 ? "entry" : "entries"}:{" "}
                {mergedFrom.map((d, i) => (
                  <span key={d.id}>
                    {i > 0 ? ", " : ""}
                    <Link href={`/memory/${d.id}`} className="font-mono text-brand-700 hover:underline">
                      {d.subject}
                    </Link>
                  </span>
                ))}
              </p>
            ) : null}
          </>
        )}
        <ErrorText error={retire.error} />
      </Card>
      {!m.retiredAt ? <MemoryMerge id={id} canMerge={canRetire} onMerged={() => void detail.refetch()} /> : null}
      <Card title={`Decisions it changed (${changedDecisions.length})`}>
        {changedDecisions.length === 0 ? (
          <p className="text-sm text-slate-500">No decision was made stricter by this entry yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100" data-testid="memory-changed-decisions">
            {changedDecisions.map((d) => (
              <li key={d.actionId} className="flex flex-wrap items-baseline justify-between gap-2 py-2 text-sm">
                <Link href={`/actions/${d.actionId}`} className="font-mono text-brand-700 hover:underline">
                  {d.action}
                </Link>
                <span className="text-xs text-slate-500">
                  {d.agent} · lowered to {d.decision.replaceAll("_", " ")} · now {d.status.replaceAll("_", " ")} · {formatDateTime(d.at)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      {learned.length > 1 ? (
        <Card title={`Learned ${m.occurrences}×`}>
          <ol className="space-y-2" data-testid="memory-occurrences">
            {learned.map((o) => (
              <li key={o.id} className="text-sm">
                <span className="text-xs text-slate-500">
                  {formatDateTime(o.at)} · {o.authorLabel}
                  {o.actionId ? (
                    <>
                      {" · "}
                      <Link href={`/actions/${o.actionId}`} className="text-brand-700 hover:underline">
                        action
                      </Link>
                    </>
                  ) : null}
                </span>
                <p className="line-clamp-2 text-slate-700">{o.body}</p>
              </li>
            ))}
          </ol>
        </Card>
      ) : null}
      {versions.length > 0 ? (
        <Card title="Earlier versions">
          <ol className="space-y-3" data-testid="memory-versions">
            {versions.map((v) => (
              <li key={v.id} className="border-l-2 border-slate-200 pl-3">
                <p className="text-xs text-slate-500">
                  version {v.version} by {v.author} · replaced by {v.replacedBy} {formatDateTime(v.replacedAt)}
                  {v.note ? ` — “${v.note}”` : ""}
                </p>
                <p className="font-mono text-sm">{v.subject}</p>
                <p className="text-sm whitespace-pre-wrap text-slate-600">{v.body}</p>
              </li>
            ))}
          </ol>
        </Card>
      ) : null}
    </div>
  );
}
