import "server-only";
import { expireOverdueApprovals } from "./approvals/decide-approval";
import { sealAuditLog } from "./audit/seal-audit";
import { rollUpUsage } from "./cost/roll-up-usage";
import { db } from "./db/client";
import { startEventBus } from "./events/bus";
import { deliverDueWebhooks } from "./notifications/webhooks";
import { forgetOldIdempotencyKeys } from "./http/idempotency";
import { foldRecalls } from "./memory/fold-recalls";
import { detectDrift } from "./metrics/detect-drift";
import { evaluateInterventionAlerts } from "./metrics/intervention-alerts";
import { rollUpActions } from "./metrics/rollup-actions";
import { expireLeases } from "./tasks/task-lifecycle";

/** Runs `task` every `intervalMs`, never two at once in this process. */
function every(intervalMs: number, name: string, task: () => Promise<unknown>): void {
  let running = false;
  setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch((error: unknown) => console.error(`[${name}] failed`, error))
      .finally(() => {
        running = false;
      });
  }, intervalMs).unref();
}

const holder = globalThis as unknown as { wardenBackground?: boolean };

/** Work each Warden server process runs beside requests; each is safe with several instances. */
export function startBackgroundWork(): void {
  if (holder.wardenBackground) return;
  holder.wardenBackground = true;
  void startEventBus();
  // audit_seal() lets one instance seal at a time; the rest return at once.
  every(250, "audit.seal", () => sealAuditLog(db));
  every(2_000, "approvals.expire", () => expireOverdueApprovals(db));
  every(1_000, "webhooks.deliver", () => deliverDueWebhooks(db));
  every(2_000, "tasks.leases", () => expireLeases(db));
  // Budgets never wait for this: they read spend_counters, kept in the ingest transaction.
  every(5_000, "usage.rollup", () => rollUpUsage(db));
  // Decisions only append to the recall log; this folds it into the entries' recall counters
  // (the memory pages also fold before they read, so what they show is exact).
  every(1_000, "memory.recalls", () => foldRecalls(db));
  every(3_600_000, "idempotency.forget", () => forgetOldIdempotencyKeys(db));
  // The metrics rollup takes an advisory lock, so one instance folds at a time; the alerts and
  // drift passes read the rollup and fire each alert once (metric_alerts' unique key).
  every(3_000, "metrics.rollup", () => rollUpActions(db));
  every(60_000, "metrics.intervention-alerts", () => evaluateInterventionAlerts(db));
  every(600_000, "metrics.drift", () => detectDrift(db));
}
