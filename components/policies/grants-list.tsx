"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { Table, Td, Th } from "@/components/ui/table";

/** Approval grants: who approved what in advance, until when; approvers revoke them here. */
export function GrantsList({ canRevoke }: { canRevoke: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [includeEnded, setIncludeEnded] = useState(false);
  const grants = useQuery({ ...trpc.policies.grants.queryOptions({ includeEnded }), refetchInterval: 10_000 });
  const revoke = useMutation(
    trpc.policies.revokeGrant.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.policies.grants.queryKey() }) }),
  );
  return (
    <Card
      title="Approval grants"
      actions={
        <label className="flex items-center gap-2 text-xs text-slate-600">
          <input type="checkbox" checked={includeEnded} onChange={(e) => setIncludeEnded(e.target.checked)} /> show ended
        </label>
      }
    >
      <p className="mb-3 text-sm text-slate-600">
        An approver can approve a call and, for a while, the same tool on the same resource by the same agent. Such calls then run with a notification.
        Suspending or killing the agent ends its grants.
      </p>
      <ErrorText error={grants.error ?? revoke.error} />
      {grants.data && grants.data.length === 0 ? <p className="text-sm text-slate-500">No {includeEnded ? "" : "live "}grants.</p> : null}
      {grants.data && grants.data.length > 0 ? (
        <Table>
          <thead>
            <tr>
              <Th>Agent</Th>
              <Th>Tool on resource</Th>
              <Th>Given by</Th>
              <Th>Until</Th>
              <Th>State</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {grants.data.map((g) => (
              <tr key={g.id} data-testid="grant-row">
                <Td>{g.agent}</Td>
                <Td>
                  <span className="font-mono text-xs">
                    {g.tool} on {g.resource ?? "no resource"}
                  </span>
                </Td>
                <Td>{g.grantedByLabel}</Td>
                <Td>{new Date(g.expiresAt).toLocaleString()}</Td>
                <Td>
                  {g.live ? (
                    canRevoke ? (
                      <Button
                        size="sm"
                        variant="secondary"
                        disabled={revoke.isPending}
                        onClick={() => revoke.mutate({ id: g.id, reason: "revoked in the console" })}
                      >
                        Revoke
                      </Button>
                    ) : (
                      "live"
                    )
                  ) : g.endedAt ? (
                    `ended by ${g.endedByLabel ?? "someone"}${g.endReason ? ` (${g.endReason})` : ""}`
                  ) : (
                    "expired"
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
    </Card>
  );
}
