"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Field, Input, READ_ONLY_CONTROL, Select } from "@/components/ui/field";
import { DECISIONS, type Decision } from "@/server/schemas/enums";
import type { PolicyDocument } from "@/server/schemas/policy";
import { RULE_CONTEXT, type PolicyRule } from "@/server/schemas/policy-rules";

/** One rule as the form holds it: numbers as typed, "" for a field left unset. */
export type RuleDraft = {
  key: string;
  name: string;
  description: string;
  when: string;
  decision: Decision | "";
  requiredApprovals: string;
  expiresInMinutes: string;
  notify: boolean;
  pauseAgent: boolean;
};

const DECISION_LABEL: Record<Decision, string> = {
  auto_execute: "at least: may run on its own (no change)",
  execute_with_notification: "at least: runs with a notification",
  require_approval: "waits for a human",
  deny: "is refused",
};

let nextKey = 0;
const newKey = () => `rule-${++nextKey}`;

export function toRuleDrafts(rules: PolicyDocument["rules"]): RuleDraft[] {
  return rules.map((r) => ({
    key: newKey(),
    name: r.name,
    description: r.description ?? "",
    when: r.when,
    decision: r.then.decision ?? "",
    requiredApprovals: r.then.requiredApprovals === undefined ? "" : String(r.then.requiredApprovals),
    expiresInMinutes: r.then.expiresInMinutes === undefined ? "" : String(r.then.expiresInMinutes),
    notify: r.then.notify ?? false,
    pauseAgent: r.then.pauseAgent ?? false,
  }));
}

/** The drafts as rules; numbers that are not numbers stay as typed so the schema names the field. */
export function fromRuleDrafts(drafts: readonly RuleDraft[]): PolicyRule[] {
  const number = (text: string) => (text.trim() === "" ? undefined : Number(text));
  return drafts.map((d) => ({
    name: d.name,
    ...(d.description.trim() ? { description: d.description } : {}),
    when: d.when,
    then: {
      ...(d.decision ? { decision: d.decision } : {}),
      ...(number(d.requiredApprovals) !== undefined ? { requiredApprovals: number(d.requiredApprovals) } : {}),
      ...(number(d.expiresInMinutes) !== undefined ? { expiresInMinutes: number(d.expiresInMinutes) } : {}),
      ...(d.notify ? { notify: true } : {}),
      ...(d.pauseAgent ? { pauseAgent: true } : {}),
    },
  }));
}

/** The text after it has stopped changing for `ms`: one check per pause in typing, not per key. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** The server's verdict on a condition, as it is typed (the same compiler the save uses). */
function ConditionCheck({ when, calendars, id }: { when: string; calendars: PolicyDocument["calendars"]; id: string }) {
  const trpc = useTRPC();
  const settled = useSettled(when, 250);
  const check = useQuery({ ...trpc.policies.validateRule.queryOptions({ when: settled, calendars }), placeholderData: (previous) => previous });
  const pending = settled !== when || check.isFetching;
  if (check.error)
    return (
      <p id={id} className="text-xs text-red-600">
        Could not check: {check.error.message}
      </p>
    );
  if (!check.data)
    return (
      <p id={id} className="text-xs text-slate-500">
        Checking…
      </p>
    );
  return check.data.ok ? (
    <p id={id} data-testid="condition-check" className={`text-xs ${pending ? "text-slate-500" : "text-emerald-700"}`}>
      {pending ? "Checking…" : "✓ The condition compiles."}
    </p>
  ) : (
    <p id={id} data-testid="condition-check" role="alert" className="text-xs text-red-600">
      {pending ? "Checking… " : ""}
      {check.data.message}
    </p>
  );
}

function ContextHelp() {
  return (
    <details className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-xs text-slate-700" data-testid="rule-context">
      <summary className="cursor-pointer font-medium">What a condition can use (CEL)</summary>
      <p className="mt-2">
        Conditions are{" "}
        <a className="text-brand-700 underline" href="https://cel.dev">
          CEL
        </a>
        , such as <code>{'tool.name == "db.restart" && resource.startsWith("prod/") && inWindow(now, "Mon-Fri 09:00-18:00", "Europe/Berlin")'}</code>. Every
        matching rule applies; none can make a decision less strict. See docs/policies.md.
      </p>
      <dl className="mt-2 grid grid-cols-1 gap-x-4 gap-y-1 sm:grid-cols-[max-content_1fr]">
        {RULE_CONTEXT.map((f) => (
          <div key={f.name} className="contents">
            <dt className="font-mono break-all">
              {f.name} <span className="text-slate-500">{f.type}</span>
            </dt>
            <dd className="text-slate-600">{f.description}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

export function RulesEditor({
  rules,
  calendars,
  readOnly,
  onChange,
}: {
  rules: RuleDraft[];
  calendars: PolicyDocument["calendars"];
  readOnly: boolean;
  onChange: (rules: RuleDraft[]) => void;
}) {
  const update = (i: number, patch: Partial<RuleDraft>) => onChange(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const move = (i: number, by: number) => {
    const next = [...rules];
    const [rule] = next.splice(i, 1);
    next.splice(i + by, 0, rule!);
    onChange(next);
  };
  return (
    <section aria-label="Rules" className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 className="text-sm font-semibold text-slate-800">Rules ({rules.length})</h3>
        <p className="text-xs text-slate-500">In order; each matching rule can only make the answer stricter.</p>
      </div>
      <ContextHelp />
      {rules.length === 0 ? <p className="text-sm text-slate-500">No rules: the settings above decide.</p> : null}
      <ol className="space-y-3">
        {rules.map((rule, i) => {
          const checkId = `${rule.key}-check`;
          return (
            <li key={rule.key} className="rounded-md border border-slate-200 p-3" data-testid="rule" aria-label={`Rule ${i + 1}`}>
              <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
                <Field label={`Rule ${i + 1}: name`}>
                  <Input
                    value={rule.name}
                    readOnly={readOnly}
                    onChange={(e) => update(i, { name: e.target.value })}
                    placeholder="db restarts wait in business hours"
                  />
                </Field>
                <Field label="Description (optional)">
                  <Input value={rule.description} readOnly={readOnly} onChange={(e) => update(i, { description: e.target.value })} />
                </Field>
                <div className="md:col-span-2">
                  <Field label="When (CEL condition)">
                    <textarea
                      value={rule.when}
                      readOnly={readOnly}
                      onChange={(e) => update(i, { when: e.target.value })}
                      // Tall enough to show a long condition whole (wrapping at about 70 characters).
                      rows={Math.min(8, Math.max(3, rule.when.split("\n").length + Math.floor(rule.when.length / 70)))}
                      spellCheck={false}
                      aria-describedby={checkId}
                      className={`block w-full rounded-md border border-slate-300 p-2 font-mono text-xs ${READ_ONLY_CONTROL}`}
                    />
                  </Field>
                  <ConditionCheck when={rule.when} calendars={calendars} id={checkId} />
                </div>
              </div>
              <div className="mt-3 grid grid-cols-1 gap-3 sm:grid-cols-2 2xl:grid-cols-4">
                <Field label="Then the action">
                  <Select value={rule.decision} disabled={readOnly} onChange={(e) => update(i, { decision: e.target.value as RuleDraft["decision"] })}>
                    <option value="">(decision unchanged)</option>
                    {DECISIONS.map((d) => (
                      <option key={d} value={d}>
                        {DECISION_LABEL[d]}
                      </option>
                    ))}
                  </Select>
                </Field>
                <Field label="Approvers needed">
                  <Input
                    type="number"
                    min="1"
                    max="10"
                    value={rule.requiredApprovals}
                    readOnly={readOnly}
                    onChange={(e) => update(i, { requiredApprovals: e.target.value })}
                    placeholder="1"
                  />
                </Field>
                <Field label="Expires after (min)">
                  <Input
                    type="number"
                    min="1"
                    value={rule.expiresInMinutes}
                    readOnly={readOnly}
                    onChange={(e) => update(i, { expiresInMinutes: e.target.value })}
                    placeholder="policy's"
                  />
                </Field>
                <label className="flex items-center gap-2 self-end pb-2 text-sm text-slate-700">
                  <input type="checkbox" checked={rule.notify} disabled={readOnly} onChange={(e) => update(i, { notify: e.target.checked })} />
                  Notify people when it runs
                </label>
                <label className="flex items-center gap-2 self-end pb-2 text-sm text-slate-700">
                  <input type="checkbox" checked={rule.pauseAgent} disabled={readOnly} onChange={(e) => update(i, { pauseAgent: e.target.checked })} />
                  Pause the agent (and refuse the action)
                </label>
              </div>
              {readOnly ? null : (
                <div className="mt-2 flex flex-wrap gap-2">
                  <Button size="sm" variant="ghost" disabled={i === 0} onClick={() => move(i, -1)}>
                    Move up
                  </Button>
                  <Button size="sm" variant="ghost" disabled={i === rules.length - 1} onClick={() => move(i, 1)}>
                    Move down
                  </Button>
                  <Button size="sm" variant="ghost" onClick={() => onChange(rules.filter((_, j) => j !== i))}>
                    Remove rule {i + 1}
                  </Button>
                </div>
              )}
            </li>
          );
        })}
      </ol>
      {readOnly ? null : (
        <Button
          variant="secondary"
          onClick={() =>
            onChange([
              ...rules,
              {
                key: newKey(),
                name: "",
                description: "",
                when: "",
                decision: "require_approval",
                requiredApprovals: "",
                expiresInMinutes: "",
                notify: false,
                pauseAgent: false,
              },
            ])
          }
        >
          Add a rule
        </Button>
      )}
    </section>
  );
}
