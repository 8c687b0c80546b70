/** Budget periods are UTC days and months, whoever looks at them from wherever. */
export type BudgetPeriod = "day" | "month";

/** The first day of the UTC day and month holding `at`, as `YYYY-MM-DD` (what spend_counters keys on). */
export function periodStarts(at: Date): Record<BudgetPeriod, string> {
  const day = at.toISOString().slice(0, 10);
  return { day, month: `${day.slice(0, 7)}-01` };
}

/** How a period is named in alerts: `2026-11-24` for a day, `2026-11` for a month. */
export function periodName(period: BudgetPeriod, start: string): string {
  return period === "day" ? start : start.slice(0, 7);
}

export const PERIOD_ADJECTIVE: Record<BudgetPeriod, string> = { day: "daily", month: "monthly" };
