"use client";

import { useEffect, useRef, useState } from "react";
import type { ActionView } from "@/server/schemas/actions";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { useNow } from "@/components/live/use-now";
import { formatDateTime } from "@/components/ui/format";
import { countdown, label, RISK_TONE } from "./format";
import { splitReasons } from "@/server/schemas/action-reasons";
import { MatchExplanation } from "@/components/memory/match-explanation";

export type DetailMode = "view" | "edit" | "reject";

type Props = {
  item: ActionView;
  mode: DetailMode;
  busy: boolean;
  onMode: (mode: DetailMode) => void;
  onApprove: (args?: Record<string, unknown>) => void;
  /** Approve, and the same tool on the same resource by this agent for that many minutes (an approval grant). */
  onApproveWithGrant?: (minutes: number) => void;
  onReject: (reason: string) => void;
};

const GRANT_MINUTES = [15, 30, 60, 240];

export function ApprovalDetail({ item, mode, busy, onMode, onApprove, onApproveWithGrant, onReject }: Props) {
  const [grantMinutes, setGrantMinutes] = useState(30);
  const now = useNow(1000);
  const [argsText, setArgsText] = useState(() => JSON.stringify(item.args, null, 2));
  const [argsError, setArgsError] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const editRef = useRef<HTMLTextAreaElement>(null);
  const rejectRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (mode === "edit") editRef.current?.focus();
    if (mode === "reject") rejectRef.current?.focus();
  }, [mode]);

  const failures = item.recalled.filter((m) => m.kind === "negative_knowledge");
  const reasons = splitReasons(item.reasons, item.decision);
  const quorum = item.requiredApprovals > 1;

  function approveEdited() {
    try {
      const parsed: unknown = JSON.parse(argsText);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("args must be a JSON object");
      setArgsError(null);
      onApprove(parsed as Record<string, unknown>);
    } catch (error) {
      setArgsError(error instanceof Error ? error.message : "not valid JSON");
    }
  }

  return (
    <article aria-label="Selected approval" className="space-y-5">
      <header className="space-y-2">
        <div className="flex flex-wrap items-center gap-2">
          <Badge tone={RISK_TONE[item.risk]}>{item.risk} risk</Badge>
          {quorum ? (
            <Badge tone="amber">
              {item.approvals.length} of {item.requiredApprovals} approvals
            </Badge>
          ) : null}
          <span className="text-xs text-slate-600" data-testid="expiry-countdown">
            {countdown(item.expiresAt, now)}
          </span>
        </div>
        <h2 className="font-mono text-lg break-words text-slate-900" data-testid="detail-action">
          {item.action}
        </h2>
      </header>

      <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm md:grid-cols-3">
        <Meta term="Agent" value={item.agent} />
        <Meta term="Tool" value={item.tool ?? "none named"} />
        <Meta term="Resource" value={item.resource ?? "—"} />
        <div>
          <dt className="text-xs text-slate-500">Confidence</dt>
          <dd className="flex items-center gap-2">
            <span className="h-1.5 w-20 rounded bg-slate-200">
              <span className="block h-1.5 rounded bg-brand-500" style={{ width: `${Math.round(item.confidence * 100)}%` }} />
            </span>
            <span className="font-medium">{item.confidence.toFixed(2)}</span>
          </dd>
        </div>
        <Meta term="Task" value={item.taskId ?? "—"} />
        <Meta term="Policy" value={`version ${item.policyVersion}`} />
      </dl>

      <section>
        <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Why it waits</h3>
        <ul className="mt-1 list-disc space-y-0.5 pl-5 text-sm text-slate-700" data-testid="deciding-reasons">
          {reasons.deciding.map((r) => (
            <li key={r.code}>{r.message}</li>
          ))}
        </ul>
        {reasons.alsoWeighed.length > 0 ? (
          <details className="mt-1 text-sm text-slate-600">
            <summary className="cursor-pointer text-xs">Also weighed, did not decide ({reasons.alsoWeighed.length})</summary>
            <ul className="mt-1 list-disc space-y-0.5 pl-5" data-testid="other-reasons">
              {reasons.alsoWeighed.map((r) => (
                <li key={r.code}>{r.message}</li>
              ))}
            </ul>
          </details>
        ) : null}
      </section>

      {item.rationale ? (
        <section>
          <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Agent&apos;s rationale</h3>
          <p className="mt-1 text-sm whitespace-pre-wrap text-slate-700">{item.rationale}</p>
        </section>
      ) : null}

      <section>
        <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Past failures that match</h3>
        {failures.length === 0 ? (
          <p className="mt-1 text-sm text-slate-500">None recorded.</p>
        ) : (
          <ul className="mt-1 space-y-2">
            {failures.map((f) => (
              <li key={f.id} className="rounded-md border border-red-200 bg-red-50 p-2 text-sm text-red-900">
                <span className="font-mono text-xs">{f.subject}</span>
                <p>{f.body}</p>
                {f.why ? <MatchExplanation why={f.why} /> : null}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section>
        <div className="flex items-center justify-between">
          <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Args</h3>
          {mode !== "edit" ? (
            <button type="button" className="text-xs text-brand-600 underline" onClick={() => onMode("edit")}>
              Edit (e)
            </button>
          ) : null}
        </div>
        {mode === "edit" ? (
          <div className="mt-1 space-y-2">
            <textarea
              ref={editRef}
              aria-label="Edited args (JSON)"
              value={argsText}
              onChange={(e) => setArgsText(e.target.value)}
              rows={Math.min(20, argsText.split("\n").length + 2)}
              className="block w-full rounded-md border border-slate-300 p-2 font-mono text-xs focus:border-brand-500 focus:outline-none"
              onKeyDown={(e) => {
                if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) approveEdited();
                if (e.key === "Escape") onMode("view");
              }}
            />
            {argsError ? (
              <p role="alert" className="text-xs text-red-600">
                {argsError}
              </p>
            ) : null}
            <div className="flex gap-2">
              <Button onClick={approveEdited} disabled={busy}>
                Approve with these args
              </Button>
              <Button variant="ghost" onClick={() => onMode("view")}>
                Cancel
              </Button>
            </div>
          </div>
        ) : (
          <pre className="mt-1 max-h-80 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100" data-testid="detail-args">
            {JSON.stringify(item.args, null, 2)}
          </pre>
        )}
      </section>

      {mode === "reject" ? (
        <section className="space-y-2 rounded-md border border-red-200 bg-red-50 p-3">
          <label className="block text-sm font-medium text-red-900" htmlFor="reject-reason">
            Reason (goes back to the agent)
          </label>
          <textarea
            id="reject-reason"
            ref={rejectRef}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            rows={3}
            className="block w-full rounded-md border border-red-300 p-2 text-sm"
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.metaKey || e.ctrlKey) && reason.trim()) onReject(reason.trim());
              if (e.key === "Escape") onMode("view");
            }}
          />
          <div className="flex gap-2">
            <Button variant="danger" disabled={busy || reason.trim() === ""} onClick={() => onReject(reason.trim())}>
              Reject
            </Button>
            <Button variant="ghost" onClick={() => onMode("view")}>
              Cancel
            </Button>
          </div>
        </section>
      ) : mode === "view" ? (
        // Pinned to the bottom of a phone's screen while the context above scrolls past.
        <div
          className="sticky bottom-0 -mx-4 flex flex-wrap gap-2 border-t border-slate-200 bg-white px-4 py-3 md:static md:mx-0 md:px-0 md:pb-0"
          data-testid="decision-buttons"
        >
          <Button onClick={() => onApprove()} disabled={busy}>
            Approve (a)
          </Button>
          <Button variant="secondary" onClick={() => onMode("edit")}>
            Edit then approve (e)
          </Button>
          <Button variant="danger" onClick={() => onMode("reject")}>
            Reject (r)
          </Button>
          {onApproveWithGrant && item.tool && item.requiredApprovals <= 1 && item.risk !== "critical" ? (
            <span className="flex flex-wrap items-center gap-2 text-sm text-slate-700" data-testid="grant-approve">
              <Button variant="secondary" disabled={busy} onClick={() => onApproveWithGrant(grantMinutes)}>
                Approve, and {item.tool} on {item.resource ?? "no resource"} by this agent for
              </Button>
              <select
                aria-label="Grant minutes"
                value={grantMinutes}
                onChange={(e) => setGrantMinutes(Number(e.target.value))}
                className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
              >
                {GRANT_MINUTES.map((m) => (
                  <option key={m} value={m}>
                    {m < 60 ? `${m} min` : `${m / 60} h`}
                  </option>
                ))}
              </select>
            </span>
          ) : null}
        </div>
      ) : null}
      {item.approvals.length > 0 ? <p className="text-xs text-slate-500">Approved so far by {item.approvals.map((a) => a.by).join(", ")}.</p> : null}
      <p className="text-xs text-slate-600">
        Proposed {formatDateTime(item.createdAt)} · {label(item.status)}
      </p>
    </article>
  );
}

function Meta({ term, value }: { term: string; value: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500">{term}</dt>
      <dd className="truncate font-medium text-slate-800" title={value}>
        {value}
      </dd>
    </div>
  );
}
