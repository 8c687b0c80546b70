"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { ZPolicyDocument, type PolicyDocument } from "@/server/schemas/policy";
import { ZCalendars } from "@/server/schemas/policy-rules";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { Field, Input, READ_ONLY_CONTROL, Select } from "@/components/ui/field";
import { DECISIONS, type Decision } from "@/server/schemas/enums";
import { ReplayResult } from "./replay-result";
import { ShadowPanel } from "./shadow-panel";
import { fromRuleDrafts, RulesEditor, toRuleDrafts, type RuleDraft } from "./rules-editor";
import { CalendarsEditor, fromCalendarDrafts, toCalendarDrafts, type CalendarDraft } from "./calendars-editor";

/** How far an action that names no tool may go, for each cap the policy can set. */
const UNTOOLED_CAP_LABEL: Record<Decision, string> = {
  auto_execute: "may run on its own",
  execute_with_notification: "runs with a notification at most",
  require_approval: "always waits for a human",
  deny: "is refused",
};

type Draft = {
  patterns: string;
  autoExecute: string;
  notify: string;
  approvalExpiryMinutes: string;
  criticalQuorum: string;
  untooledMaxDecision: PolicyDocument["untooledMaxDecision"];
  onMatchingFailure: PolicyDocument["onMatchingFailure"];
  failureLookbackDays: string;
  rules: RuleDraft[];
  calendars: CalendarDraft[];
};

function toDraft(doc: PolicyDocument): Draft {
  return {
    patterns: doc.alwaysRequireApproval.join("\n"),
    autoExecute: String(doc.thresholds.autoExecute),
    notify: String(doc.thresholds.notify),
    approvalExpiryMinutes: String(doc.approvalExpiryMinutes),
    criticalQuorum: String(doc.criticalQuorum),
    untooledMaxDecision: doc.untooledMaxDecision,
    onMatchingFailure: doc.onMatchingFailure,
    failureLookbackDays: String(doc.failureLookbackDays),
    rules: toRuleDrafts(doc.rules),
    calendars: toCalendarDrafts(doc.calendars),
  };
}

/** The draft as a policy document, or the problems that stop it being one (named by field). */
function fromDraft(draft: Draft): { document: PolicyDocument } | { problems: string[] } {
  const candidate = {
    alwaysRequireApproval: draft.patterns
      .split("\n")
      .map((p) => p.trim())
      .filter(Boolean),
    thresholds: { autoExecute: Number(draft.autoExecute), notify: Number(draft.notify) },
    approvalExpiryMinutes: Number(draft.approvalExpiryMinutes),
    criticalQuorum: Number(draft.criticalQuorum),
    untooledMaxDecision: draft.untooledMaxDecision,
    onMatchingFailure: draft.onMatchingFailure,
    failureLookbackDays: Number(draft.failureLookbackDays),
    rules: fromRuleDrafts(draft.rules),
    calendars: fromCalendarDrafts(draft.calendars),
  };
  const parsed = ZPolicyDocument.safeParse(candidate);
  if (parsed.success) return { document: parsed.data };
  return { problems: parsed.error.issues.map((i) => `${describePath(i.path, candidate)}: ${i.message}`) };
}

/** An issue's field, with the rule's name where it is in a rule ("rules.2 (db restarts).then"). */
function describePath(path: readonly PropertyKey[], candidate: { rules: { name: string }[] }): string {
  const text = path.map(String).join(".");
  if (path[0] === "rules" && typeof path[1] === "number") {
    const name = candidate.rules[path[1]]?.name;
    return name
      ? `rule ${path[1] + 1} (${name})${path.length > 2 ? `: ${path.slice(2).map(String).join(".")}` : ""}`
      : `rule ${path[1] + 1}${path.length > 2 ? `: ${path.slice(2).map(String).join(".")}` : ""}`;
  }
  return text;
}

/** How the always-require-approval patterns match: the rules of guardrails/approval-patterns.ts. */
function PatternHelp() {
  return (
    <span data-testid="pattern-help" className="block space-y-1">
      <span className="block">
        One pattern per line. A <b>phrase</b> such as <code>docker rm</code> matches as whole words: <code>docker&nbsp;&nbsp;rm</code>, <code>DOCKER rm</code>{" "}
        and <code>docker rm -f cache</code> match, <code>docker rmi</code> does not.
      </span>
      <span className="block">
        A line starting <code>re:</code> is a regular expression (RE2 syntax, any case), such as <code>{String.raw`re:git push\b.*\s(-f|--force)`}</code>; it
        sees the text with single spaces between words. Backreferences and lookaround are not available.
      </span>
      <span className="block">
        Both are matched against the action text, the tool, the resource and every key and string value in the args (a list of strings also as one line), after
        Unicode NFKC (fullwidth letters become plain), with zero-width and control characters removed and any whitespace read as one space. Tools of risk
        critical always need the quorum below, whatever matched.
      </span>
    </span>
  );
}

export function PolicyEditor({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const current = useQuery(trpc.policies.current.queryOptions());
  if (!current.data) return <ErrorText error={current.error} />;
  // A new version in force starts a fresh draft from it.
  return <PolicyForm key={current.data.version} current={current.data} canEdit={canEdit} />;
}

type Current = { version: number; document: PolicyDocument; authorLabel: string };

function PolicyForm({ current, canEdit }: { current: Current; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => toDraft(current.document));
  const [comment, setComment] = useState("");
  const [days, setDays] = useState(7);
  const replay = useMutation(trpc.policies.replay.mutationOptions());
  const save = useMutation(
    trpc.policies.save.mutationOptions({
      onSuccess: () => {
        setComment("");
        replay.reset();
        void queryClient.invalidateQueries({ queryKey: trpc.policies.current.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.policies.versions.queryKey() });
      },
    }),
  );
  const startShadow = useMutation(
    trpc.policies.startShadow.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.policies.shadow.queryKey() }),
    }),
  );
  const parsed = useMemo(() => fromDraft(draft), [draft]);
  // The calendars the conditions are checked against: the draft's, as far as they parse.
  const draftCalendars = useMemo(() => {
    const calendars = ZCalendars.safeParse(fromCalendarDrafts(draft.calendars));
    return calendars.success ? calendars.data : {};
  }, [draft.calendars]);
  const draftKey = "document" in parsed ? JSON.stringify(parsed.document) : null;
  const [replayedKey, setReplayedKey] = useState<string | null>(null);
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const readOnly = !canEdit;
  const reviewed = replay.data && replayedKey === draftKey;

  return (
    <div className="space-y-6">
      <Card title={`In force: version ${current.version}`} actions={<span className="text-xs text-slate-500">by {current.authorLabel}</span>}>
        {readOnly ? (
          <p className="mb-4 rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700" data-testid="policy-read-only">
            Read only: your role can read the policy; an admin changes it.
          </p>
        ) : null}
        <form className="grid grid-cols-1 gap-4 md:grid-cols-3" onSubmit={(e) => e.preventDefault()} aria-label="Policy">
          <div className="md:row-span-3">
            <Field label="Always require approval" hint={<PatternHelp />}>
              <textarea
                aria-label="Always require approval"
                value={draft.patterns}
                readOnly={readOnly}
                onChange={(e) => set({ patterns: e.target.value })}
                rows={9}
                className={`block w-full rounded-md border border-slate-300 p-2 font-mono text-xs ${READ_ONLY_CONTROL}`}
              />
            </Field>
          </div>
          <Field label="Auto-execute at or above">
            <Input
              type="number"
              step="0.01"
              min="0"
              max="1"
              value={draft.autoExecute}
              readOnly={readOnly}
              onChange={(e) => set({ autoExecute: e.target.value })}
            />
          </Field>
          <Field label="Notify at or above">
            <Input type="number" step="0.01" min="0" max="1" value={draft.notify} readOnly={readOnly} onChange={(e) => set({ notify: e.target.value })} />
          </Field>
          <Field label="Approval expires after (minutes)">
            <Input
              type="number"
              min="1"
              value={draft.approvalExpiryMinutes}
              readOnly={readOnly}
              onChange={(e) => set({ approvalExpiryMinutes: e.target.value })}
            />
          </Field>
          <Field label="Approvers for critical tools">
            <Input type="number" min="1" max="10" value={draft.criticalQuorum} readOnly={readOnly} onChange={(e) => set({ criticalQuorum: e.target.value })} />
          </Field>
          <Field label="An action that names no tool" hint="goes at most this far, whatever its confidence">
            <Select
              aria-label="An action that names no tool"
              value={draft.untooledMaxDecision}
              disabled={readOnly}
              onChange={(e) => set({ untooledMaxDecision: e.target.value as Draft["untooledMaxDecision"] })}
            >
              {DECISIONS.map((decision) => (
                <option key={decision} value={decision}>
                  {UNTOOLED_CAP_LABEL[decision]}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="A matching past failure">
            <Select
              value={draft.onMatchingFailure}
              disabled={readOnly}
              onChange={(e) => set({ onMatchingFailure: e.target.value as Draft["onMatchingFailure"] })}
            >
              <option value="notify">lowers auto-execute to notify</option>
              <option value="require_approval">sends it to a human</option>
            </Select>
          </Field>
          <Field label="…if it failed within (days)">
            <Input type="number" min="1" value={draft.failureLookbackDays} readOnly={readOnly} onChange={(e) => set({ failureLookbackDays: e.target.value })} />
          </Field>
        </form>
        <div className="mt-6 space-y-6 border-t border-slate-200 pt-4">
          <RulesEditor rules={draft.rules} calendars={draftCalendars} readOnly={readOnly} onChange={(rules) => set({ rules })} />
          <CalendarsEditor calendars={draft.calendars} readOnly={readOnly} onChange={(calendars) => set({ calendars })} />
        </div>
        {"problems" in parsed ? (
          <ul role="alert" className="mt-3 list-disc pl-5 text-sm text-red-600">
            {parsed.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : null}
        {canEdit ? (
          <div className="mt-4 flex flex-wrap items-end gap-3 border-t border-slate-200 pt-4">
            <Field label="Replay over the last (days)">
              <Input type="number" min="1" max="90" value={days} onChange={(e) => setDays(Number(e.target.value))} className="w-24" />
            </Field>
            <Button
              variant="secondary"
              disabled={!draftKey || replay.isPending}
              onClick={() => {
                if (!("document" in parsed)) return;
                setReplayedKey(draftKey);
                replay.mutate({ document: parsed.document, days });
              }}
            >
              {replay.isPending ? "Replaying…" : "Preview the effect"}
            </Button>
            <div className="min-w-64 flex-1">
              <Field label="What changed and why">
                <Input value={comment} onChange={(e) => setComment(e.target.value)} placeholder="stricter on docker for the weekend" />
              </Field>
            </div>
            <Button
              variant="secondary"
              disabled={!draftKey || startShadow.isPending}
              title="Run this draft beside the policy in force on live traffic, recording what it would decide"
              onClick={() => {
                if ("document" in parsed) startShadow.mutate({ document: parsed.document, comment });
              }}
            >
              Run as shadow
            </Button>
            <Button
              disabled={!reviewed || save.isPending}
              title={reviewed ? undefined : "Preview the effect of this exact draft first"}
              onClick={() => {
                if ("document" in parsed) save.mutate({ document: parsed.document, comment, baseVersion: current.version });
              }}
            >
              Save as version {current.version + 1}
            </Button>
          </div>
        ) : (
          <p className="mt-4 text-xs text-slate-500">Only admins change the policy.</p>
        )}
        <div className="mt-2 space-y-1">
          <ErrorText error={replay.error ?? save.error ?? startShadow.error} />
          {startShadow.data ? <p className="text-sm text-emerald-700">The draft runs in shadow: its live difference is shown below.</p> : null}
          {save.data ? (
            <p className="text-sm text-emerald-700">
              Saved version {save.data.version} ({save.data.changes.length} changes).
            </p>
          ) : null}
        </div>
      </Card>
      <ShadowPanel canEdit={canEdit} />
      {replay.data ? <ReplayResult result={replay.data} stale={!reviewed} /> : null}
    </div>
  );
}
