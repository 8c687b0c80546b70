"use client";

import { Input, Select } from "@/components/ui/field";

export type RangePreset = "24h" | "7d" | "30d" | "custom";
export type MetricsFilterState = { preset: RangePreset; customFrom: string; customTo: string; agentId: string; team: string };

const PRESET_HOURS: Record<Exclude<RangePreset, "custom">, number> = { "24h": 24, "7d": 7 * 24, "30d": 30 * 24 };

/**
 * The range a filter means right now. Presets end at the next whole hour, so that the range (and
 * the query key) stays put for the hour instead of moving every render.
 */
export function rangeOf(filter: MetricsFilterState, now = Date.now()): { from: Date; to: Date } | null {
  if (filter.preset === "custom") {
    const from = new Date(filter.customFrom);
    const to = new Date(filter.customTo);
    return Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to ? null : { from, to };
  }
  const to = new Date(Math.ceil(now / 3600_000) * 3600_000);
  return { from: new Date(to.getTime() - PRESET_HOURS[filter.preset] * 3600_000), to };
}

export function MetricsFilters(props: {
  value: MetricsFilterState;
  onChange: (next: MetricsFilterState) => void;
  agents: { id: string; name: string }[];
  teams: string[];
  lockAgent?: boolean;
}) {
  const { value, onChange } = props;
  const set = (patch: Partial<MetricsFilterState>) => onChange({ ...value, ...patch });
  return (
    <div className="flex flex-wrap items-end gap-3">
      <div role="group" aria-label="Time range" className="inline-flex rounded-md shadow-sm">
        {(["24h", "7d", "30d", "custom"] as const).map((p, i) => (
          <button
            key={p}
            type="button"
            aria-pressed={value.preset === p}
            onClick={() => set({ preset: p })}
            className={`border border-slate-300 px-3 py-2 text-sm ${i === 0 ? "rounded-l-md" : ""} ${i === 3 ? "rounded-r-md" : ""} ${i > 0 ? "-ml-px" : ""} ${
              value.preset === p ? "bg-brand-600 text-white" : "bg-white text-slate-700 hover:bg-slate-50"
            }`}
          >
            {p === "24h" ? "24 h" : p === "7d" ? "7 d" : p === "30d" ? "30 d" : "Custom"}
          </button>
        ))}
      </div>
      {value.preset === "custom" ? (
        <>
          <label className="text-xs text-slate-500">
            From
            <Input type="datetime-local" aria-label="From" value={value.customFrom} onChange={(e) => set({ customFrom: e.target.value })} />
          </label>
          <label className="text-xs text-slate-500">
            To
            <Input type="datetime-local" aria-label="To" value={value.customTo} onChange={(e) => set({ customTo: e.target.value })} />
          </label>
        </>
      ) : null}
      {props.lockAgent ? null : (
        <>
          <div className="w-56">
            <Select aria-label="Agent" value={value.agentId} onChange={(e) => set({ agentId: e.target.value })}>
              <option value="">Every agent</option>
              {props.agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </Select>
          </div>
          <div className="w-44">
            <Select aria-label="Team" value={value.team} onChange={(e) => set({ team: e.target.value })}>
              <option value="">Every team</option>
              {props.teams.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </Select>
          </div>
        </>
      )}
    </div>
  );
}
