import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { fireAlert } from "./alerts";
import { interventionRate } from "./interventions";
import { getMetricSettings } from "./metric-settings";

type Row = {
  agentId: string | null;
  name: string | null;
  autonomous: number;
  denied: number;
  approved: number;
  edited: number;
  rejected: number;
  expired: number;
};

/**
 * The intervention alert: over the trailing 24 hours (from the hourly rollup), the whole fleet and
 * each agent whose rate of actions needing a person is above the line (30% by default) with
 * enough decided actions; at most one alert per subject and UTC day.
 */
export async function evaluateInterventionAlerts(db: DbOrTx, now = new Date()): Promise<string[]> {
  const settings = await getMetricSettings(db);
  // The fleet-wide grouping set () yields a row even over no rows, its sums NULL: hence coalesce.
  const rows = await db.$queryRaw<Row[]>`
    SELECT h.agent_id AS "agentId", max(a.name) AS name,
           coalesce(sum(h.auto_execute + h.execute_with_notification), 0)::int AS autonomous, coalesce(sum(h.deny), 0)::int AS denied,
           coalesce(sum(h.approved_unchanged), 0)::int AS approved, coalesce(sum(h.edited), 0)::int AS edited,
           coalesce(sum(h.rejected), 0)::int AS rejected, coalesce(sum(h.expired), 0)::int AS expired
      FROM metric_hours h JOIN agents a ON a.id = h.agent_id
     WHERE h.hour >= ${new Date(now.getTime() - 24 * 3600_000)}
     GROUP BY GROUPING SETS ((h.agent_id), ())`;
  const day = now.toISOString().slice(0, 10);
  const fired: string[] = [];
  await inTransaction(db, async (tx) => {
    for (const row of rows) {
      const r = interventionRate({
        autonomous: row.autonomous,
        denied: row.denied,
        approved: row.approved,
        edited: row.edited,
        rejected: row.rejected,
        expired: row.expired,
      });
      if (r.rate === null || r.decided < settings.interventionAlertMinDecided || r.rate <= settings.interventionAlertRate) continue;
      const who = row.agentId ? (row.name ?? row.agentId) : "The fleet";
      const leaning =
        r.leaning === "too_tight"
          ? " People mostly approve unchanged: the guardrails look too tight."
          : r.leaning === "too_loose"
            ? " People often reject or edit: the guardrails look too loose."
            : "";
      const ok = await fireAlert(tx, {
        rule: "intervention_rate",
        subject: row.agentId ?? "fleet",
        periodKey: day,
        title: `${who}: ${Math.round(r.rate * 100)}% of actions needed a person in the last 24 hours`,
        body: `${r.interventions} of ${r.decided} decided actions needed a person (the line is ${Math.round(settings.interventionAlertRate * 100)}%).${leaning}`,
        ...(row.agentId ? { agentId: row.agentId } : {}),
      });
      if (ok) fired.push(row.agentId ?? "fleet");
    }
  });
  return fired;
}
