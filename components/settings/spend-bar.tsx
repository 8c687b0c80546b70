import { formatUsd } from "@/server/schemas/cost";

export type SpendStanding = { percent: number; filled: number; tone: "ok" | "warning" | "over" };

/** Where spend stands against a limit: the share (uncapped), the bar's fill (capped) and its tone (80% warns, 100% pauses). */
export function spendStanding(spent: number, limit: number): SpendStanding {
  const percent = limit > 0 ? (spent / limit) * 100 : 0;
  return { percent, filled: Math.min(100, Math.max(0, percent)), tone: percent >= 100 ? "over" : percent >= 80 ? "warning" : "ok" };
}

const FILL = { ok: "bg-brand-500", warning: "bg-amber-500", over: "bg-red-600" } as const;

export function SpendBar({ spent, limit }: { spent: number; limit: number }) {
  const standing = spendStanding(spent, limit);
  const label = `${formatUsd(spent)} of ${formatUsd(limit)}`;
  return (
    <div className="space-y-1" data-testid="spend-bar">
      <div className="flex justify-between text-xs tabular-nums">
        <span className="font-medium text-slate-800">{label}</span>
        <span className={standing.tone === "ok" ? "text-slate-500" : standing.tone === "warning" ? "text-amber-700" : "font-semibold text-red-700"}>
          {Math.floor(standing.percent)}%
        </span>
      </div>
      <div
        role="meter"
        aria-label={`Spend: ${label}`}
        aria-valuemin={0}
        aria-valuemax={limit}
        aria-valuenow={spent}
        className="h-2 w-full overflow-hidden rounded-full bg-slate-100"
      >
        <div className={`h-full rounded-full ${FILL[standing.tone]}`} style={{ width: `${standing.filled}%` }} />
      </div>
    </div>
  );
}
