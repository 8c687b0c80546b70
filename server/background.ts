import { warmControlPath } from "./control/warm-control-path";
import { expireOverdueApprovals } from "./approvals/decide-approval";
import { forgetOldSessions } from "./auth/user-sessions";
import { publishAuditAnchor } from "./audit/publish-anchor";
import { sealAuditLog } from "./audit/seal-audit";
import { rollUpUsage } from "./cost/roll-up-usage";
import { db, type Db } from "./db/client";
import { env } from "./env";
import { startEventBus } from "./events/bus";
import { startUpstreams } from "./mcp-gateway/upstream-supervisor";
import { deliverDueWebhooks } from "./notifications/webhooks";
import { forgetOldIdempotencyKeys } from "./http/idempotency";
import { describeMemories } from "./memory/describe-memories";
import { foldRecalls } from "./memory/fold-recalls";
import { detectDrift } from "./metrics/detect-drift";
import { evaluateInterventionAlerts } from "./metrics/intervention-alerts";
import { rollUpActions } from "./metrics/rollup-actions";
import { expireLeases } from "./tasks/task-lifecycle";
import { runPaced } from "./lib/paced-timer";

/** A piece of work every Warden process runs on a timer; each is safe with several instances. */
export type BackgroundJob = {
  name: string;
  everyMs: number;
  run: (db: Db) => Promise<unknown>;
  /** The most of the time its passes may take (lib/paced-timer.ts): for work that grows with the load. */
  maxShare?: number;
};

/**
 * Every background job, in one list: startBackgroundWork schedules them, and a test runs each
 * once against a fresh, empty database (tests/integration/background-jobs.test.ts).
 */
export const BACKGROUND_JOBS: readonly BackgroundJob[] = [
  // audit_seal() lets one instance seal at a time; the rest return at once.
  { name: "audit.seal", everyMs: 250, run: (db) => sealAuditLog(db) },
  { name: "approvals.expire", everyMs: 2_000, run: (db) => expireOverdueApprovals(db) },
  { name: "webhooks.deliver", everyMs: 1_000, run: (db) => deliverDueWebhooks(db) },
  { name: "tasks.leases", everyMs: 2_000, run: (db) => expireLeases(db) },
  // Budgets never wait for this: they read spend_counters, kept in the ingest transaction.
  { name: "usage.rollup", everyMs: 5_000, run: (db) => rollUpUsage(db) },
  // Decisions only append to the recall log; this folds it into the entries' recall counters
  // (the memory pages also fold before they read, so what they show is exact).
  { name: "memory.recalls", everyMs: 1_000, run: (db) => foldRecalls(db) },
  // Entries recorded before topics existed are filed under theirs (new ones are on record): up to
  // ten batches of 2,000 a pass, so a million older entries are filed within minutes of an upgrade.
  // Two instances doing it at once only repeat each other's work (the update skips filed entries).
  {
    name: "memory.describe",
    everyMs: 5_000,
    run: async (db) => {
      for (let batch = 0; batch < 10 && (await describeMemories(db)) > 0; batch++);
    },
  },
  { name: "idempotency.forget", everyMs: 3_600_000, run: (db) => forgetOldIdempotencyKeys(db) },
  { name: "sessions.forget", everyMs: 3_600_000, run: (db) => forgetOldSessions(db) },
  // The metrics rollup takes an advisory lock, so one instance folds at a time; the alerts and
  // drift passes read the rollup and fire each alert once (metric_alerts' unique key).
  // A pass recomputes each hour and day that changed: under a sustained load that is the whole
  // current hour and day of every busy agent (docs/architecture.md, Metrics), so its passes are
  // paced to a fifth of the time rather than run back to back beside the decisions.
  { name: "metrics.rollup", everyMs: 3_000, run: (db) => rollUpActions(db), maxShare: 0.2 },
  { name: "metrics.intervention-alerts", everyMs: 60_000, run: (db) => evaluateInterventionAlerts(db) },
  { name: "metrics.drift", everyMs: 600_000, run: (db) => detectDrift(db) },
  // Only with a key and somewhere to send the anchors; one instance publishes each head once
  // (an advisory lock and the last published seq, server/audit/publish-anchor.ts).
  ...(env.auditAnchorKey && (env.WARDEN_AUDIT_ANCHOR_FILE || env.WARDEN_AUDIT_ANCHOR_URL)
    ? [auditAnchorJob({ key: env.auditAnchorKey, file: env.WARDEN_AUDIT_ANCHOR_FILE, url: env.WARDEN_AUDIT_ANCHOR_URL })]
    : []),
];

function auditAnchorJob(to: Parameters<typeof publishAuditAnchor>[1]): BackgroundJob {
  return { name: "audit.anchor", everyMs: env.WARDEN_AUDIT_ANCHOR_EVERY_SECONDS * 1000, run: (db) => publishAuditAnchor(db, to) };
}

const holder = globalThis as unknown as { wardenBackground?: boolean };

/** Work each Warden server process runs beside requests. */
export function startBackgroundWork(): void {
  if (holder.wardenBackground) return;
  holder.wardenBackground = true;
  void startEventBus();
  // This process's connections to the upstream MCP servers the gateway proxies.
  startUpstreams(db).catch((error: unknown) => console.error("[mcp-gateway] connecting to the upstream MCP servers failed", error));
  // The kill switch's first use is as fast as the next ones (control/warm-control-path.ts).
  warmControlPath(db).catch((error: unknown) => console.error("[control] warming the kill switch's path failed", error));
  for (const job of BACKGROUND_JOBS) {
    runPaced(job.everyMs, () => job.run(db), { maxShare: job.maxShare, onError: (error) => console.error(`[${job.name}] failed`, error) });
  }
}
