/**
 * Every PostgreSQL advisory lock Warden takes, in one registry, so that no two kinds of work can
 * ever wait on each other by accident. Each namespace has an id of its own; a lock is either
 * that id alone (`pg_advisory_xact_lock(id)`: one lock for the namespace) or the id with a
 * second key hashed from the thing locked (`pg_advisory_xact_lock(id, hashtext(team))`: a key
 * space per namespace). Two namespaces sharing an id would share a key space: a team's spend
 * check and a task's dedupe key once did (both 7462040), so a team named like a dedupe key
 * serialised unrelated requests. tests/unit/advisory-locks.test.ts keeps the ids distinct and
 * every lock in the code on this list.
 */
export const ADVISORY_LOCKS = {
  /** Schema migrations at start-up (session lock). */
  migration: 7462001,
  /** First-start work (the instance's settings, the first admin). */
  bootstrap: 7462002,
  /** The audit sealer, taken inside SQL by audit_seal() (migration 20261124005425_audit_log_chain). */
  auditSeal: 7462013,
  /** Publishing an audit anchor (file and webhook): one instance at a time. */
  auditAnchor: 7462014,
  /** Saving a policy version. */
  policySave: 7462020,
  /** Changing the control state (pause, suspend, kill, resume). */
  controlChange: 7462030,
  /** A team's spend check; second key: hashtext(team). */
  teamSpend: 7462040,
  /** Usage ingest (shared) against the usage rollup's horizon (exclusive). */
  usageIngest: 7462041,
  /** One usage rollup pass at a time. */
  usageRollup: 7462042,
  /** Negative knowledge on one subject; second key: hashtext(subject key). */
  memorySubject: 7462050,
  /** One metrics rollup pass at a time; second key: 1. */
  metricsRollup: 7462051,
  /** Drift detection of one agent; second key: hashtext(agent id). */
  drift: 7462052,
  /** Creating a task with a dedupe key; second key: hashtext(dedupe key). */
  taskDedupe: 7462060,
} as const;

export type AdvisoryLockName = keyof typeof ADVISORY_LOCKS;
