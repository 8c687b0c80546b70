/**
 * Five remembered failures that every agent of a load run shares, so that each decision recalls
 * the same memory entries: the shape that deadlocked the recall bookkeeping (issue 13). Used by
 * the decisions benchmark and the two-instance load spec.
 */
export const SHARED_LESSONS = [
  "The config had invalid YAML: validate it before restarting.",
  "Port 443 was still bound by a stale container.",
  "A missing volume mount left the certificates unreadable.",
  "An outdated image tag pulled a broken build.",
  "DNS lookups timed out while the resolver restarted.",
];
