"use client";

import { Button } from "@/components/ui/button";
import { Field, Input, READ_ONLY_CONTROL } from "@/components/ui/field";
import type { PolicyDocument } from "@/server/schemas/policy";

/** A named calendar as the form holds it: one period per line, "2026-12-20 2027-01-03 year-end freeze". */
export type CalendarDraft = { key: string; name: string; timeZone: string; periods: string };

let nextKey = 0;

export function toCalendarDrafts(calendars: PolicyDocument["calendars"]): CalendarDraft[] {
  return Object.entries(calendars).map(([name, c]) => ({
    key: `calendar-${++nextKey}`,
    name,
    timeZone: c.timeZone,
    periods: c.periods.map((p) => [p.from, p.to, p.label].filter(Boolean).join(" ")).join("\n"),
  }));
}

/** The drafts as calendars; a line that is not two dates is kept as typed, so the schema names it. */
export function fromCalendarDrafts(
  drafts: readonly CalendarDraft[],
): Record<string, { timeZone: string; periods: { from: string; to: string; label?: string }[] }> {
  return Object.fromEntries(
    drafts.map((d) => [
      d.name.trim(),
      {
        timeZone: d.timeZone.trim(),
        periods: d.periods
          .split("\n")
          .map((line) => line.trim())
          .filter(Boolean)
          .map((line) => {
            const [from = "", second, ...rest] = line.split(/\s+/);
            // A single date is a period of one day.
            const to = second && /^\d{4}-\d{2}-\d{2}$/.test(second) ? second : from;
            const label = (to === second ? rest : [second, ...rest]).filter(Boolean).join(" ");
            return { from, to, ...(label ? { label } : {}) };
          }),
      },
    ]),
  );
}

export function CalendarsEditor({
  calendars,
  readOnly,
  onChange,
}: {
  calendars: CalendarDraft[];
  readOnly: boolean;
  onChange: (calendars: CalendarDraft[]) => void;
}) {
  const update = (i: number, patch: Partial<CalendarDraft>) => onChange(calendars.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  return (
    <section aria-label="Calendars" className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 className="text-sm font-semibold text-slate-800">Calendars ({calendars.length})</h3>
        <p className="text-xs text-slate-500">
          Named periods, such as a change freeze, that rules test with <code>inCalendar(now, &quot;name&quot;)</code>.
        </p>
      </div>
      {calendars.map((c, i) => (
        <div key={c.key} className="grid grid-cols-1 gap-3 rounded-md border border-slate-200 p-3 md:grid-cols-[1fr_1fr_2fr]" data-testid="calendar">
          <Field label="Calendar name">
            <Input value={c.name} readOnly={readOnly} onChange={(e) => update(i, { name: e.target.value })} placeholder="change-freeze" />
          </Field>
          <Field label="Time zone">
            <Input value={c.timeZone} readOnly={readOnly} onChange={(e) => update(i, { timeZone: e.target.value })} placeholder="Europe/Berlin" />
          </Field>
          <Field label="Periods (whole days, one per line)" hint="from to label, such as 2026-12-20 2027-01-03 year-end freeze">
            <textarea
              value={c.periods}
              readOnly={readOnly}
              onChange={(e) => update(i, { periods: e.target.value })}
              rows={2}
              className={`block w-full rounded-md border border-slate-300 p-2 font-mono text-xs ${READ_ONLY_CONTROL}`}
            />
          </Field>
          {readOnly ? null : (
            <div className="md:col-span-3">
              <Button size="sm" variant="ghost" onClick={() => onChange(calendars.filter((_, j) => j !== i))}>
                Remove calendar {c.name || i + 1}
              </Button>
            </div>
          )}
        </div>
      ))}
      {readOnly ? null : (
        <Button
          variant="secondary"
          onClick={() => onChange([...calendars, { key: `calendar-${++nextKey}`, name: "", timeZone: "Europe/Berlin", periods: "" }])}
        >
          Add a calendar
        </Button>
      )}
    </section>
  );
}
