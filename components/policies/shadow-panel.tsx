"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { DECISION_TONE, label } from "@/components/inbox/format";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { Table, Td, Th } from "@/components/ui/table";
import { DECISIONS } from "@/server/schemas/enums";

/**
 * The draft running in shadow: what it would have decided on live traffic beside what was
 * enforced, refreshed every few seconds, with promote and drop for admins.
 */
export function ShadowPanel({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const shadow = useQuery({ ...trpc.policies.shadow.queryOptions(), refetchInterval: 5_000 });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.policies.shadow.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.policies.current.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.policies.versions.queryKey() });
  };
  const end = useMutation(trpc.policies.endShadow.mutationOptions({ onSuccess: refresh }));
  if (shadow.error) return <ErrorText error={shadow.error} />;
  const data = shadow.data;
  if (!data) return null;
  const { shadow: draft } = data;
  const more = data.moreApprovals;
  return (
    <Card
      title="Shadow draft running on live traffic"
      actions={
        <span className="text-xs text-slate-500">
          since {new Date(draft.createdAt).toLocaleString()} · by {draft.authorLabel}
        </span>
      }
    >
      <div data-testid="shadow-panel" className="space-y-4">
        <p className="text-sm text-slate-700">
          {draft.comment ? <q>{draft.comment}</q> : "A draft"} based on version {draft.baseVersion} records what it would decide; agents still get the policy in
          force.{" "}
          <span data-testid="shadow-summary" className="font-medium">
            {data.total.toLocaleString()} decision{data.total === 1 ? "" : "s"} so far:{" "}
            {more === 0 ? "as many approvals" : more > 0 ? `${more} more approval(s)` : `${-more} fewer approval(s)`}, {data.stricter} stricter, {data.looser}{" "}
            less strict.
          </span>
        </p>
        <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
          {DECISIONS.map((d) => (
            <div key={d} className="rounded-md border border-slate-200 p-3">
              <Badge tone={DECISION_TONE[d]}>{label(d)}</Badge>
              <p className="mt-2 text-lg font-semibold">
                {data.enforced[d]} → {data.wouldBe[d]}
              </p>
              <p className="text-xs text-slate-500">enforced → shadow</p>
            </div>
          ))}
        </div>
        <div>
          <h3 className="text-sm font-semibold">Newest actions the draft decides differently</h3>
          {data.differing.length === 0 ? (
            <p className="text-sm text-slate-500">None yet.</p>
          ) : (
            <Table>
              <thead>
                <tr>
                  <Th>Action</Th>
                  <Th>Agent</Th>
                  <Th>Enforced</Th>
                  <Th>Shadow</Th>
                  <Th>Decided by</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {data.differing.map((d) => (
                  <tr key={d.id} data-testid="shadow-row">
                    <Td>
                      <Link href={`/actions/${d.actionId}`} className="font-mono text-xs text-brand-700 hover:underline">
                        {d.action}
                      </Link>
                    </Td>
                    <Td>{d.agent}</Td>
                    <Td>
                      <Badge tone={DECISION_TONE[d.enforced]}>{label(d.enforced)}</Badge>
                    </Td>
                    <Td>
                      <Badge tone={DECISION_TONE[d.shadowDecision]}>{label(d.shadowDecision)}</Badge>
                    </Td>
                    <Td>{d.rule ? `rule “${d.rule}”` : <span className="text-slate-500">the draft&apos;s settings</span>}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </div>
        {canEdit ? (
          <div className="flex flex-wrap gap-3 border-t border-slate-200 pt-3">
            <Button disabled={end.isPending} onClick={() => end.mutate({ id: draft.id, outcome: "promoted" })}>
              Promote to the policy in force
            </Button>
            <Button variant="secondary" disabled={end.isPending} onClick={() => end.mutate({ id: draft.id, outcome: "dropped" })}>
              Drop the shadow
            </Button>
            <ErrorText error={end.error} />
          </div>
        ) : null}
      </div>
    </Card>
  );
}
