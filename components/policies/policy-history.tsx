"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/card";
import { formatDateTime } from "@/components/ui/format";

const show = (value: unknown) => (value === undefined ? "" : JSON.stringify(value));

export function PolicyHistory() {
  const trpc = useTRPC();
  const versions = useQuery(trpc.policies.versions.queryOptions());
  return (
    <Card title="Versions">
      <ol className="space-y-4">
        {versions.data?.map((v) => (
          <li key={v.version} className="border-l-2 border-slate-200 pl-3" data-testid="policy-version">
            <p className="text-sm font-medium">
              Version {v.version}{" "}
              <span className="font-normal text-slate-500">
                · {v.authorLabel} · {formatDateTime(v.createdAt)}
              </span>
            </p>
            {v.comment ? <p className="text-sm text-slate-700">{v.comment}</p> : null}
            {v.changes.length > 0 ? (
              <ul className="mt-1 space-y-0.5 font-mono text-xs text-slate-600">
                {v.changes.map((c) => (
                  <li key={`${c.path}-${c.type}`}>
                    {c.type === "CREATE" ? "+" : c.type === "REMOVE" ? "−" : "~"} {c.path}: {show(c.from)} {c.type === "CHANGE" ? "→" : ""} {show(c.to)}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
    </Card>
  );
}
