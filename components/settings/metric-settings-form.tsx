"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorText, fieldErrorOf } from "@/components/ui/error-text";
import { Field, Input } from "@/components/ui/field";
import type { MetricSettings } from "@/server/metrics/metric-settings";

const FIELDS: { key: keyof MetricSettings; label: string; hint: string; step: string }[] = [
  { key: "recentDays", label: "Recent window (days)", hint: "compared against the baseline; today included", step: "1" },
  { key: "baselineDays", label: "Baseline window (days)", hint: "the days before the recent window", step: "1" },
  { key: "minActions", label: "Fewest actions to judge", hint: "in each window, before any drift is called", step: "1" },
  { key: "mixDivergence", label: "Action mix: Jensen–Shannon above", hint: "0 to 1 (base-2 logs); 0.1 is a clear shift", step: "0.01" },
  { key: "ksPValue", label: "Confidence and cost per task: KS p-value below", hint: "two-sample Kolmogorov–Smirnov", step: "0.001" },
  { key: "failureRateChange", label: "Failure rate: significant change of at least", hint: "a share, 0.1 = ten points", step: "0.01" },
  { key: "interventionAlertRate", label: "Alert when intervention rate is above", hint: "over the last 24 hours; DESIGN's line is 0.3", step: "0.01" },
  {
    key: "interventionAlertMinDecided",
    label: "…with at least this many decided actions",
    hint: "so a quiet agent does not alert on two approvals",
    step: "1",
  },
];

/** Settings → Metrics: the drift and alert thresholds (admins; audited). */
export function MetricSettingsForm() {
  const trpc = useTRPC();
  const current = useQuery(trpc.metrics.settings.queryOptions());
  if (!current.data) return <ErrorText error={current.error} />;
  // Keyed by the saved values, so the form starts over from what the server now holds.
  return <ThresholdsForm key={JSON.stringify(current.data)} saved={current.data} onSaved={() => void current.refetch()} />;
}

function ThresholdsForm({ saved, onSaved }: { saved: MetricSettings; onSaved: () => void }) {
  const trpc = useTRPC();
  const save = useMutation(trpc.metrics.saveSettings.mutationOptions({ onSuccess: onSaved }));
  const [draft, setDraft] = useState<Record<string, string>>(() => Object.fromEntries(Object.entries(saved).map(([k, v]) => [k, String(v)])));
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(Object.fromEntries(FIELDS.map((f) => [f.key, Number(draft[f.key])])) as MetricSettings);
  }
  return (
    <Card title="Drift and alert thresholds">
      <form onSubmit={submit} className="grid grid-cols-1 gap-4 md:grid-cols-2">
        {FIELDS.map((f) => (
          <Field key={f.key} label={f.label} hint={f.hint} error={fieldErrorOf(save.error, f.key)}>
            <Input type="number" step={f.step} value={draft[f.key] ?? ""} onChange={(e) => setDraft((d) => ({ ...d, [f.key]: e.target.value }))} />
          </Field>
        ))}
        <div className="flex items-center gap-3 md:col-span-2">
          <Button type="submit" disabled={save.isPending}>
            Save thresholds
          </Button>
          {save.isSuccess ? <span className="text-sm text-emerald-700">Saved.</span> : null}
          <ErrorText error={save.error} />
        </div>
      </form>
    </Card>
  );
}
