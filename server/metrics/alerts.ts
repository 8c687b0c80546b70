import { randomUUID } from "node:crypto";
import type { DbOrTx } from "../db/client";
import { publish } from "../events/bus";
import { notificationInsertSql, webhookDeliveriesSql } from "../notifications/notify";

/** The alert rules: guardrails off balance, behaviour drifting, money running out. */
export const ALERT_RULES = ["intervention_rate", "drift", "budget_warning", "budget_exceeded"] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export type Alert = {
  rule: AlertRule;
  /** "fleet", an agent's id, or "team:<name>" */
  subject: string;
  /** what makes the alert once-only, e.g. the day ("2026-11-24"), the month, a drift event's id */
  periodKey: string;
  title: string;
  body: string;
  agentId?: string;
};

/**
 * Fires an alert into the notification feed and to the webhooks subscribed to `metrics.alert`,
 * at most once per rule, subject and period: the unique key on metric_alerts decides, so two
 * instances (or two requests) that notice the same thing at once raise one alert. Call it inside
 * the transaction that noticed. Returns whether this call fired it.
 */
export async function fireAlert(tx: DbOrTx, alert: Alert): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT INTO metric_alerts (rule, subject, period_key, message)
    VALUES (${alert.rule}, ${alert.subject}, ${alert.periodKey}, ${alert.title})
    ON CONFLICT (rule, subject, period_key) DO NOTHING`;
  if (inserted === 0) return false;
  const notificationId = randomUUID();
  await tx.$executeRaw(notificationInsertSql({ id: notificationId, kind: "metrics.alert", title: alert.title, body: alert.body, agentId: alert.agentId }));
  await tx.$executeRaw(
    webhookDeliveriesSql("metrics.alert", {
      rule: alert.rule,
      subject: alert.subject,
      period: alert.periodKey,
      title: alert.title,
      body: alert.body,
      agentId: alert.agentId ?? null,
    }),
  );
  await publish(tx, { type: "notification.created", notificationId });
  return true;
}
