"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ErrorText } from "@/components/ui/error-text";
import { formatDateTime, formatRelative } from "@/components/ui/format";

export function AgentKeys({ agentId, agentActive, onIssued }: { agentId: string; agentActive: boolean; onIssued: (secret: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.agents.keys.queryOptions({ agentId }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.agents.keys.queryKey({ agentId }) });
  const issue = useMutation(trpc.agents.issueKey.mutationOptions({ onSuccess: (r) => (onIssued(r.secret), refresh()) }));
  const revoke = useMutation(trpc.agents.revokeKey.mutationOptions({ onSuccess: refresh }));

  return (
    <div className="space-y-3">
      <div className="flex items-center justify-between">
        <h3 className="text-sm font-semibold">Keys</h3>
        <Button size="sm" disabled={!agentActive || issue.isPending} onClick={() => issue.mutate({ agentId, name: "rotated" })}>
          Issue another key
        </Button>
      </div>
      <ul className="divide-y divide-slate-200 rounded-md border border-slate-200 bg-white">
        {keys.data?.map((key) => (
          <li key={key.id} className="flex items-center justify-between gap-4 px-3 py-2 text-sm">
            <div>
              <code className="font-mono">{key.prefix}…</code> <span className="text-slate-500">{key.name}</span>
              <div className="text-xs text-slate-500">
                created {formatDateTime(key.createdAt)} · last used {formatRelative(key.lastUsedAt)}
              </div>
            </div>
            {key.revokedAt ? (
              <Badge tone="red">revoked {formatRelative(key.revokedAt)}</Badge>
            ) : (
              <Button size="sm" variant="danger" onClick={() => revoke.mutate({ keyId: key.id })}>
                Revoke
              </Button>
            )}
          </li>
        ))}
      </ul>
      <ErrorText error={keys.error ?? issue.error ?? revoke.error} />
    </div>
  );
}
