/**
 * The operations a lesson can be about, each with the verbs agents and tools spell it with.
 * A subject's operation is the canonical name (the key): `reboot web`, `bounce web` and a tool
 * called `k8s.rollout_restart` are all a "restart". The list is a vocabulary of ops, dev,
 * security and content work, not of any benchmark: a verb missing here leaves a subject without
 * an operation (it can still match on its resource, never escalate on the operation alone).
 */
const OPERATION_VERBS: Record<string, string[]> = {
  restart: ["restart", "reboot", "bounce", "cycle", "recycle", "respawn"],
  deploy: ["deploy", "release", "ship", "rollout", "redeploy", "promote"],
  rollback: ["rollback", "revert", "downgrade", "undeploy"],
  scale: ["scale", "resize", "autoscale"],
  rotate: ["rotate", "renew", "regenerate", "reissue", "rekey"],
  migrate: ["migrate", "migration"],
  patch: ["patch", "upgrade", "update", "bump"],
  reload: ["reload", "refresh"],
  vacuum: ["vacuum", "reindex", "analyze"],
  flush: ["flush", "purge", "clear", "invalidate", "evict"],
  backup: ["backup", "snapshot", "dump", "export"],
  restore: ["restore", "recover", "import"],
  delete: ["delete", "remove", "rm", "drop", "destroy", "truncate", "wipe", "prune"],
  stop: ["stop", "halt", "shutdown", "kill", "terminate"],
  start: ["start", "launch", "boot", "spawn"],
  scan: ["scan", "audit", "inspect", "pentest"],
  grant: ["grant", "allow", "permit", "authorize"],
  revoke: ["revoke", "deny", "disable", "block", "ban"],
  merge: ["merge", "squash", "rebase"],
  push: ["push", "commit"],
  build: ["build", "compile", "bundle"],
  test: ["test", "lint", "typecheck", "verify"],
  publish: ["publish", "post", "tweet", "announce", "schedule"],
  send: ["send", "email", "mail", "notify", "message"],
  edit: ["edit", "rewrite", "proofread", "translate"],
  provision: ["provision", "create", "spin", "allocate"],
  failover: ["failover", "switchover"],
};

const BY_VERB = new Map<string, string>();
for (const [operation, verbs] of Object.entries(OPERATION_VERBS)) for (const verb of verbs) BY_VERB.set(verb, operation);

/** The canonical operation a word names, or null. */
export function operationOf(word: string): string | null {
  return BY_VERB.get(word) ?? null;
}

/** Every verb recall knows, for reading a typo'd verb as the verb it most likely is. */
export const OPERATION_WORDS: readonly string[] = [...BY_VERB.keys()];

/**
 * Words that name how something runs rather than what it is (`docker restart api`, `restart the
 * api container`): they are neither the operation nor the resource, so they never decide a match.
 */
export const GENERIC_WORDS = new Set([
  "docker",
  "container",
  "containers",
  "kubectl",
  "k8s",
  "kubernetes",
  "pod",
  "pods",
  "service",
  "services",
  "svc",
  "server",
  "job",
  "jobs",
  "task",
  "run",
  "please",
  "now",
  "again",
  "app",
  "instance",
  "cluster",
  "node",
  "nodes",
  "compose",
  "systemctl",
  "helm",
  "deployment",
  "all",
  "new",
  "old",
  "my",
  "our",
  "its",
  "this",
  "that",
]);

/**
 * Environment words: a lesson on `staging/api` is about the api in staging; a query naming
 * another environment is about another resource, one naming none may be about either.
 */
export const ENVIRONMENT_WORDS = new Map<string, string>([
  ["staging", "staging"],
  ["stage", "staging"],
  ["stg", "staging"],
  ["production", "production"],
  ["prod", "production"],
  ["prd", "production"],
  ["live", "production"],
  ["dev", "dev"],
  ["development", "dev"],
  ["qa", "qa"],
  ["uat", "qa"],
  ["sandbox", "sandbox"],
]);
