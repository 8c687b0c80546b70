"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";

const ROLLBACK_TONE = { sent: "blue", awaiting_manual: "amber", succeeded: "green", failed: "red" } as const;

/** "Acknowledged M of N" for one change, live, with latencies, the missing names and its undo orders. */
export function EventDetail({ epoch }: { epoch: number }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.control.event.queryOptions({ epoch }));
  const resolve = useMutation(trpc.control.resolveRollback.mutationOptions({ onSuccess: () => void detail.refetch() }));
  const d = detail.data;
  if (!d) return <ErrorText error={detail.error} />;
  // N: the agents connected when the change was made. Those offline then get it when they connect.
  const connected = d.agents.filter((a) => !a.offline);
  const acked = connected.filter((a) => a.ackedAt);
  const missing = connected.filter((a) => !a.ackedAt);
  const offline = d.agents.filter((a) => a.offline);
  return (
    <Card title={`Epoch ${d.epoch}: ${d.state === "running" ? "resume" : d.state} ${d.scope}`}>
      <p className="text-2xl font-semibold" data-testid="ack-count">
        acknowledged {acked.length} of {connected.length}
      </p>
      <p className="text-xs text-slate-500">
        by {d.actor}: {d.reason}
      </p>
      {missing.length > 0 ? (
        <p className="mt-2 text-sm text-amber-800" data-testid="not-acked">
          Not yet: {missing.map((a) => a.name).join(", ")}
        </p>
      ) : connected.length > 0 ? (
        <p className="mt-2 text-sm text-emerald-700">Every connected agent in scope has it.</p>
      ) : null}
      {offline.length > 0 ? (
        <p className="mt-2 text-sm text-slate-700" data-testid="offline-agents">
          Offline when it was made (they get it when they connect): {offline.map((a) => (a.ackedAt ? `${a.name} (since acknowledged)` : a.name)).join(", ")}
        </p>
      ) : null}
      {acked.length > 0 ? (
        <ul className="mt-3 grid grid-cols-2 gap-x-4 gap-y-1 text-sm md:grid-cols-3">
          {acked.map((a) => (
            <li key={a.id} className="flex justify-between gap-2">
              <span>{a.name}</span>
              <span className="font-mono text-xs text-slate-500">{a.latencyMs} ms</span>
            </li>
          ))}
        </ul>
      ) : null}
      {d.rollbacks.length > 0 || d.irreversible.length > 0 ? (
        <div className="mt-4 border-t border-slate-200 pt-3">
          <h3 className="text-xs font-semibold text-slate-600 uppercase">
            Rollback: {d.rollbacks.filter((r) => r.status === "succeeded").length} of {d.rollbacks.length} undone
          </h3>
          <ol className="mt-1 space-y-1 text-sm">
            {d.rollbacks.map((r) => (
              <li key={r.id} className="flex items-center justify-between gap-2" data-testid="rollback-row">
                <span>
                  {r.position + 1}. <span className="font-mono">{r.action}</span> <span className="text-xs text-slate-500">({r.agent})</span>
                  {r.status === "awaiting_manual" ? (
                    <span className="block text-xs text-amber-800">Agent offline: run {JSON.stringify(r.undo)} by hand, then mark it.</span>
                  ) : null}
                </span>
                <span className="flex items-center gap-2">
                  <Badge tone={ROLLBACK_TONE[r.status]}>{r.status.replace("_", " ")}</Badge>
                  {r.status === "awaiting_manual" || r.status === "sent" ? (
                    <Button size="sm" variant="secondary" onClick={() => resolve.mutate({ rollbackId: r.id, status: "succeeded" })}>
                      Mark undone
                    </Button>
                  ) : null}
                </span>
              </li>
            ))}
          </ol>
          {d.irreversible.length > 0 ? (
            <p className="mt-2 text-xs text-slate-600">Not reversible, check by hand: {d.irreversible.map((i) => i.action).join("; ")}</p>
          ) : null}
          <ErrorText error={resolve.error} />
        </div>
      ) : null}
    </Card>
  );
}
