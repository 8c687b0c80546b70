"use client";

import { useQuery } from "@tanstack/react-query";
import { RESYNC, useLiveEvents } from "@/components/live/use-live-events";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { formatDateTime } from "@/components/ui/format";
import { DECISION_TONE, label, STATUS_TONE } from "@/components/inbox/format";
import { ItemScores } from "@/components/quality/item-scores";

const VERB_LABEL: Record<string, string> = {
  "action.propose": "Proposed and decided",
  "action.approval_vote": "Approved (quorum not yet met)",
  "action.approve": "Approved",
  "action.reject": "Rejected",
  "action.expire": "Expired",
  "action.succeeded": "Ran and succeeded",
  "action.failed": "Ran and failed",
};

export function ActionDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.actions.get.queryOptions({ id }));
  useLiveEvents(["approval.decided", "action.result"], (type, data) => {
    if (type === RESYNC || data.actionId === id) void detail.refetch();
  });
  if (detail.error) return <ErrorText error={detail.error} />;
  if (!detail.data) return null;
  const { action: a, timeline } = detail.data;
  return (
    <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <Card title={<span className="font-mono">{a.action}</span>}>
        <div className="mb-4 flex flex-wrap gap-2">
          <Badge tone={DECISION_TONE[a.decision]}>{label(a.decision)}</Badge>
          <Badge tone={STATUS_TONE[a.status] ?? "gray"}>{label(a.status)}</Badge>
          <Badge tone="gray">{a.risk} risk</Badge>
        </div>
        <dl className="grid grid-cols-2 gap-3 text-sm">
          <div>
            <dt className="text-xs text-slate-500">Agent</dt>
            <dd>{a.agent}</dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Tool / resource</dt>
            <dd>
              {a.tool ?? "no tool named"} {a.resource ? `on ${a.resource}` : ""}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Confidence</dt>
            <dd>{a.confidence}</dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Policy</dt>
            <dd>version {a.policyVersion}</dd>
          </div>
        </dl>
        <h3 className="mt-4 text-xs font-semibold text-slate-500 uppercase">Reasons</h3>
        <ul className="mt-1 list-disc pl-5 text-sm">
          {a.reasons.map((r) => (
            <li key={r.code}>{r.message}</li>
          ))}
        </ul>
        <h3 className="mt-4 text-xs font-semibold text-slate-500 uppercase">Proposed args</h3>
        <pre className="mt-1 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100">{JSON.stringify(a.args, null, 2)}</pre>
        {a.argsEdited ? (
          <>
            <h3 className="mt-4 text-xs font-semibold text-slate-500 uppercase">Approved args (edited)</h3>
            <pre className="mt-1 overflow-auto rounded bg-slate-900 p-3 text-xs text-emerald-200">{JSON.stringify(a.approvedArgs, null, 2)}</pre>
          </>
        ) : null}
        {a.reason ? <p className="mt-4 text-sm">Reason: {a.reason}</p> : null}
      </Card>
      <Card title="Timeline (from the audit log)">
        <ol className="relative space-y-4 border-l border-slate-200 pl-5" data-testid="timeline">
          {timeline.map((t) => (
            <li key={t.id}>
              <span className="absolute -left-1.5 mt-1.5 h-3 w-3 rounded-full border border-white bg-brand-500" />
              <p className="text-sm font-medium">{VERB_LABEL[t.verb] ?? t.verb}</p>
              <p className="text-xs text-slate-500">
                {formatDateTime(t.at)} · {t.actorType} {t.actorLabel}
              </p>
            </li>
          ))}
        </ol>
      </Card>
      <ItemScores target={{ actionId: id }} />
    </div>
  );
}
