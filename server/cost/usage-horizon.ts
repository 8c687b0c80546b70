import { ADVISORY_LOCKS } from "../db/advisory-locks";

/**
 * Usage events get their ids from a sequence when inserted, but commit in any order, so "every
 * id up to N is committed" needs proof before the rollup moves past N. Each insert holds this
 * lock shared until it commits; the rollup takes it exclusively for one instant to read the
 * highest id, which no in-flight insert can then undercut.
 */
export const USAGE_INGEST_LOCK = ADVISORY_LOCKS.usageIngest;
