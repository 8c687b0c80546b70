import { z } from "zod";
import type { RequestOrigin, UserActor } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { describeChanges } from "../lib/describe-changes";

/** Drift and alert thresholds, editable by admins in Settings → Metrics. */
export const ZMetricSettings = z.strictObject({
  /** the recent window: the last N days (UTC, today included) */
  recentDays: z.number().int().min(1).max(30),
  /** the baseline: the N days before the recent window */
  baselineDays: z.number().int().min(3).max(90),
  /** too few actions in either window to say anything */
  minActions: z.number().int().min(5).max(100_000),
  /** action mix: Jensen–Shannon divergence (base 2, 0..1) above this is drift */
  mixDivergence: z.number().min(0.01).max(1),
  /** confidence and cost per task: a Kolmogorov–Smirnov p-value below this is drift */
  ksPValue: z.number().min(0.000001).max(0.2),
  /** failure rate: a significant change of at least this many points (0..1) is drift */
  failureRateChange: z.number().min(0.01).max(1),
  /** alert when the trailing-24-hour intervention rate is above this (DESIGN: 30%) */
  interventionAlertRate: z.number().min(0.05).max(1),
  /** and at least this many actions were decided in those 24 hours */
  interventionAlertMinDecided: z.number().int().min(1).max(100_000),
});
export type MetricSettings = z.infer<typeof ZMetricSettings>;

export const DEFAULT_METRIC_SETTINGS: MetricSettings = {
  recentDays: 1,
  baselineDays: 14,
  minActions: 30,
  mixDivergence: 0.1,
  ksPValue: 0.01,
  failureRateChange: 0.1,
  interventionAlertRate: 0.3,
  interventionAlertMinDecided: 20,
};

const KEY = "metrics.settings";

export async function getMetricSettings(db: DbOrTx): Promise<MetricSettings> {
  const row = await db.instanceSetting.findUnique({ where: { key: KEY } });
  if (!row) return DEFAULT_METRIC_SETTINGS;
  // Settings saved by an older version keep working: missing keys take the defaults.
  const parsed = ZMetricSettings.safeParse({ ...DEFAULT_METRIC_SETTINGS, ...(JSON.parse(row.value) as object) });
  return parsed.success ? parsed.data : DEFAULT_METRIC_SETTINGS;
}

export async function saveMetricSettings(db: DbOrTx, actor: UserActor, input: MetricSettings, origin?: RequestOrigin): Promise<MetricSettings> {
  const next = ZMetricSettings.parse(input);
  return inTransaction(db, async (tx) => {
    const before = await getMetricSettings(tx);
    await tx.instanceSetting.upsert({ where: { key: KEY }, create: { key: KEY, value: JSON.stringify(next) }, update: { value: JSON.stringify(next) } });
    await appendAudit(tx, {
      actor,
      verb: "metrics.settings",
      subject: { type: "settings", id: KEY },
      data: { changes: describeChanges(before, next) },
      origin,
    });
    return next;
  });
}
