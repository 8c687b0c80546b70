"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";

/** Entries that look like this one; an approver ticks the duplicates and folds them into it. */
export function MemoryMerge({ id, canMerge, onMerged }: { id: string; canMerge: boolean; onMerged: () => void }) {
  const trpc = useTRPC();
  const candidates = useQuery(trpc.memory.duplicates.queryOptions({ id }));
  const [chosen, setChosen] = useState<string[]>([]);
  const merge = useMutation(
    trpc.memory.merge.mutationOptions({
      onSuccess: () => {
        setChosen([]);
        void candidates.refetch();
        onMerged();
      },
    }),
  );
  if (!candidates.data || candidates.data.length === 0) return null;
  return (
    <Card
      title="Possible duplicates"
      actions={
        canMerge ? (
          <Button size="sm" disabled={chosen.length === 0 || merge.isPending} onClick={() => merge.mutate({ keepId: id, duplicateIds: chosen })}>
            Merge {chosen.length || ""} into this entry
          </Button>
        ) : null
      }
    >
      <ul className="divide-y divide-slate-100">
        {candidates.data.map((c) => (
          <li key={c.id} className="flex items-start gap-3 py-2" data-testid="duplicate-row">
            {canMerge ? (
              <input
                type="checkbox"
                className="mt-1"
                aria-label={`Merge ${c.subject}`}
                checked={chosen.includes(c.id)}
                onChange={(e) => setChosen((ids) => (e.target.checked ? [...ids, c.id] : ids.filter((x) => x !== c.id)))}
              />
            ) : null}
            <div className="min-w-0">
              <Link href={`/memory/${c.id}`} className="font-mono text-sm text-brand-700 hover:underline">
                {c.subject}
              </Link>
              <span className="ml-2 text-xs text-slate-600">
                {Math.round(c.likeness * 100)}% alike · {c.author_label} · learned {c.occurrences}×
              </span>
              <p className="line-clamp-2 text-sm text-slate-600">{c.body}</p>
            </div>
          </li>
        ))}
      </ul>
      <p className="mt-2 text-xs text-slate-500">Merged entries are retired, never deleted; this entry takes their counts and tags.</p>
      <ErrorText error={merge.error} />
    </Card>
  );
}
