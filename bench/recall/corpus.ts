/**
 * The labelled recall set (issue 20): lessons across ops, dev, security and content work, and
 * queries phrased as agents phrase their next action, each with the lessons that should come
 * back. Generated from a fixed seed, so every run measures the same set; grow it by adding
 * subjects, verbs, tools or reasons below (the labels follow from the generator's own facts,
 * never from Warden's matching code).
 */

export const CORPUS_SEED = 20;

/** One operation as the generator knows it: the verbs agents use for it and tools that run it. */
type Operation = { op: string; verbs: string[]; tools: string[] };
type Domain = { name: string; operations: Operation[]; resources: string[]; environments: (string | null)[]; reasons: string[]; advice: string[] };

const DOMAINS: Domain[] = [
  {
    name: "ops",
    operations: [
      { op: "restart", verbs: ["restart", "reboot", "bounce"], tools: ["docker.restart", "k8s.rollout_restart", "ops-restart", "svcctl"] },
      { op: "deploy", verbs: ["deploy", "release", "ship"], tools: ["deploy.run", "argo.sync", "ci-deploy"] },
      { op: "rollback", verbs: ["rollback", "revert"], tools: ["deploy.rollback", "argo.undo"] },
      { op: "scale", verbs: ["scale", "resize"], tools: ["k8s.scale", "asg-capacity"] },
      { op: "flush", verbs: ["flush", "purge"], tools: ["cache.flush", "cdn-tool"] },
      { op: "backup", verbs: ["backup", "snapshot"], tools: ["db.backup", "snapshotter"] },
      { op: "reload", verbs: ["reload"], tools: ["nginx.reload", "config-push"] },
    ],
    resources: ["api", "web", "worker", "traefik", "postgres", "redis", "nginx", "kafka", "cache", "billing", "search", "scheduler", "gateway", "grafana"],
    environments: ["staging", "production", "dev"],
    reasons: [
      "the health check timed out after {n} seconds",
      "the config had invalid YAML at line {n}",
      "the container was renamed to {name}-v{n} and the old name no longer resolves",
      "port {port} was still bound by a stale process",
      "the disk on node {n} was full",
      "a migration held a lock on the orders table for {n} minutes",
      "the image tag {n}.4 pulled a broken build",
      "memory limit of {n} MiB exceeded during warm-up",
      "DNS for {name} did not propagate within {n} minutes",
    ],
    advice: [
      "drain connections first",
      "check the config with --dry-run",
      "wait for the replica to catch up",
      "pin the image digest",
      "scale down the consumers first",
    ],
  },
  {
    name: "dev",
    operations: [
      { op: "merge", verbs: ["merge", "squash"], tools: ["github.merge", "git-bot"] },
      { op: "build", verbs: ["build", "compile"], tools: ["ci.build", "bazel-run"] },
      { op: "push", verbs: ["push", "commit"], tools: ["git.push", "repo-sync"] },
      { op: "test", verbs: ["test", "lint"], tools: ["ci.test", "test-runner"] },
    ],
    resources: ["frontend", "backend", "mobile", "docs-site", "sdk", "infra"],
    environments: [null],
    reasons: [
      "the lockfile was out of date after a dependency bump",
      "a flaky snapshot test failed {n} times in a row",
      "the branch protection requires {n} reviews",
      "the build cache was poisoned by a stale artifact",
      "the type check ran out of memory on {n} files",
      "a generated file was committed by mistake",
    ],
    advice: ["rebase on main first", "run the full suite locally", "regenerate the lockfile", "clear the build cache"],
  },
  {
    name: "security",
    operations: [
      { op: "rotate", verbs: ["rotate", "renew"], tools: ["vault.rotate", "secrets-tool"] },
      { op: "scan", verbs: ["scan", "audit"], tools: ["trivy.scan", "sec-scanner"] },
      { op: "revoke", verbs: ["revoke", "disable"], tools: ["iam.revoke", "access-admin"] },
      { op: "patch", verbs: ["patch", "upgrade"], tools: ["os.patch", "fleet-updater"] },
    ],
    resources: ["tls-certificate", "api-key", "ssh-keys", "iam-role", "firewall", "vpn"],
    environments: ["staging", "production"],
    reasons: [
      "the new certificate chain was missing the intermediate",
      "clients cached the old key for {n} hours",
      "the scanner flagged {n} false positives and blocked the pipeline",
      "revoking the role locked out the on-call engineer",
      "the patch rebooted hosts during business hours",
      "the load balancer kept serving the old secret",
    ],
    advice: ["announce it in the on-call channel", "keep the old key valid for a day", "run it in the maintenance window"],
  },
  {
    name: "content",
    operations: [
      { op: "publish", verbs: ["publish", "post"], tools: ["cms.publish", "social-poster"] },
      { op: "send", verbs: ["send", "email"], tools: ["mailer.send", "campaign-tool"] },
      { op: "edit", verbs: ["edit", "rewrite"], tools: ["cms.edit", "copy-assistant"] },
    ],
    resources: ["blog", "newsletter", "linkedin", "changelog", "status-page", "release-notes"],
    environments: [null],
    reasons: [
      "the post went out with a broken link to the pricing page",
      "the campaign was sent to {n} unsubscribed addresses",
      "legal had not approved the customer quote",
      "the image was {n} MB and the page timed out",
      "the announcement leaked an unreleased feature",
    ],
    advice: ["get legal sign-off first", "check every link", "send a test to the team list"],
  },
];

const APPROVERS = ["alice", "bob", "carol", "dave", "erin", "frank"];
/** Tools whose names say nothing of the operation: the lesson must be found by its words and resource. */
const OPAQUE_TOOLS = ["runbook.exec", "ops-bot", "automation.step"];
/** Resources no lesson is about: queries on them must recall nothing. */
const UNKNOWN_RESOURCES = ["ledger", "payroll", "mailer", "metrics-exporter", "warehouse", "analytics"];

export type Subject = { domain: string; op: string; name: string; env: string | null };
export type LessonKind = "negative_knowledge" | "decision" | "pattern";

/** One recording: a lesson learned (again). Records with the same `lessonId` are one lesson. */
export type LessonRecord = {
  lessonId: number;
  subject: Subject;
  kind: LessonKind;
  /** how Warden is told: from an action (a failure, a rejection) or typed as a subject */
  about: { action: string; tool: string | null; resource: string | null } | null;
  subjectText: string;
  body: string;
  author: string;
};

export type QueryShape = "exact" | "paraphrase" | "reordered" | "typo1" | "typo2" | "other_tool" | "opaque_tool" | "with_reason" | "unknown_verb" | "nothing";

/**
 * Verbs agents use that Warden's list of operations (server/memory/operations.ts) does not know:
 * held out on purpose, so the set also measures what the rule misses.
 */
const UNKNOWN_VERBS: Record<string, string> = {
  restart: "kick",
  deploy: "land",
  rollback: "unwind",
  scale: "grow",
  flush: "empty",
  backup: "save",
  reload: "reread",
  merge: "integrate",
  build: "make",
  push: "upload",
  test: "check",
  rotate: "replace",
  scan: "probe",
  revoke: "pull",
  patch: "fix",
  publish: "share",
  send: "dispatch",
  edit: "polish",
};

export type LabelledQuery = {
  id: number;
  shape: QueryShape;
  /** a decision's action, or a question in words */
  action: { action: string; tool: string | null; resource: string | null } | null;
  q: string | null;
  subject: Subject | null;
  /** lessons about the same operation and resource: must come back (recall@5, MRR) */
  mustRecall: number[];
  /** lessons about the same resource, another operation: may come back (counted as relevant for precision) */
  mayRecall: number[];
  /** same-subject failures: the only lessons allowed to lower this decision */
  mayEscalate: number[];
};

export type Corpus = { records: LessonRecord[]; lessons: number; queries: LabelledQuery[] };

/** mulberry32: small, fast, and the same sequence on every machine for one seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}
type Random = ReturnType<typeof random>;

function fill(template: string, rnd: Random, name: string): string {
  return template
    .replaceAll("{n}", String(2 + rnd.int(90)))
    .replaceAll("{port}", String(8000 + rnd.int(999)))
    .replaceAll("{name}", name);
}

function resourceOf(subject: Subject): string {
  return subject.env ? `${subject.env}/${subject.name}` : `acme/${subject.name}`;
}

/** A typo a person makes: two letters swapped, one dropped, doubled or replaced (never the first letter). */
export function typo(word: string, rnd: Random): string {
  if (word.length < 4) return word;
  const i = 1 + rnd.int(word.length - 2);
  switch (rnd.int(4)) {
    case 0:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    case 1:
      return word.slice(0, i) + word.slice(i + 1);
    case 2:
      return word.slice(0, i) + word[i] + word.slice(i);
    default: {
      const letters = "abcdefghijklmnopqrstuvwxyz".replace(word[i]!, "");
      return word.slice(0, i) + letters[rnd.int(letters.length)] + word.slice(i + 1);
    }
  }
}

/** Typos in a phrase: `count` of them, each in a different word of at least five letters where there are enough. */
function withTypos(phrase: string, count: number, rnd: Random): string {
  const words = phrase.split(" ");
  const long = words.map((w, i) => ({ w, i })).filter(({ w }) => w.length >= 5 && /^[a-z]+$/.test(w));
  if (long.length === 0) return phrase;
  const order = [...long].sort(() => rnd.next() - 0.5);
  for (let k = 0; k < count; k++) {
    const target = order[k % order.length]!;
    words[target.i] = typo(words[target.i]!, rnd);
  }
  return words.join(" ");
}

/** Builds the set; `scale` multiplies the subjects taken (1: about 2,300 records and 465 queries). */
export function generateCorpus(seed = CORPUS_SEED, scale = 1): Corpus {
  const rnd = random(seed);
  const records: LessonRecord[] = [];
  const bySubject = new Map<string, { subject: Subject; lessons: { id: number; kind: LessonKind }[] }>();
  const key = (s: Subject) => `${s.op}|${s.env ?? "-"}|${s.name}`;
  let lessonId = 0;
  const operationOf = (s: Subject) => DOMAINS.find((d) => d.name === s.domain)!.operations.find((o) => o.op === s.op)!;

  for (const domain of DOMAINS) {
    for (const operation of domain.operations) {
      for (const name of domain.resources) {
        for (const env of domain.environments) {
          if (rnd.next() > Math.min(1, 0.75 * scale)) continue;
          const subject: Subject = { domain: domain.name, op: operation.op, name, env };
          const entry = { subject, lessons: [] as { id: number; kind: LessonKind }[] };
          bySubject.set(key(subject), entry);
          const distinct = 1 + rnd.int(4);
          for (let l = 0; l < distinct; l++) {
            const id = lessonId++;
            const kind: LessonKind = l === 0 ? "negative_knowledge" : rnd.pick(["negative_knowledge", "decision", "pattern"] as const);
            entry.lessons.push({ id, kind });
            const reason = fill(rnd.pick(domain.reasons), rnd, name);
            // Repeats: the same lesson learned again, by other agents, through other tools, by other approvers.
            const repeats = 1 + rnd.int(kind === "decision" ? 6 : 5);
            for (let r = 0; r < repeats; r++) {
              const verb = rnd.pick(operation.verbs);
              const tool = rnd.pick(operation.tools);
              const about = { action: rnd.next() < 0.3 ? `docker ${verb} ${name}` : `${verb} ${name}`, tool, resource: resourceOf(subject) };
              const nearDuplicate = r > 0 && rnd.next() < 0.4;
              const body = nearDuplicate ? `${reason[0]!.toUpperCase()}${reason.slice(1)}.` : reason;
              if (kind === "negative_knowledge") {
                records.push({
                  lessonId: id,
                  subject,
                  kind,
                  about,
                  subjectText: `${about.action} on ${about.resource} (${tool})`,
                  body,
                  author: `${domain.name}-agent-${rnd.int(6)}`,
                });
              } else if (kind === "decision") {
                const approver = rnd.pick(APPROVERS);
                records.push({
                  lessonId: id,
                  subject,
                  kind,
                  about,
                  subjectText: `${about.action} on ${about.resource}`,
                  body: `Rejected by ${approver}: ${body}`,
                  author: approver,
                });
              } else {
                const advice = rnd.pick(domain.advice);
                // Typed by an agent, in its own word order; the environment is said when there is one
                // (a lesson that names none would be about every environment, and labelled so).
                const text = rnd.next() < 0.5 ? `${env ? `${env} ` : ""}${name} ${verb}` : `${verb} ${name}${env ? ` in ${env}` : ""}`;
                records.push({
                  lessonId: id,
                  subject,
                  kind,
                  about: null,
                  subjectText: text,
                  body: `Before you ${verb} ${name}, ${advice}: ${body}`,
                  author: `${domain.name}-agent-${rnd.int(6)}`,
                });
              }
            }
          }
        }
      }
    }
  }

  // The labels, from the generator's facts: same operation and resource (an unnamed environment
  // matches any), or the same resource under another operation.
  const entries = [...bySubject.values()];
  const labels = (subject: Subject, anyEnvironment: boolean) => {
    const fits = (s: Subject) => s.name === subject.name && s.domain === subject.domain && (anyEnvironment || s.env === subject.env);
    const same = entries.filter((e) => fits(e.subject) && e.subject.op === subject.op).flatMap((e) => e.lessons);
    const resource = entries.filter((e) => fits(e.subject) && e.subject.op !== subject.op).flatMap((e) => e.lessons);
    return {
      mustRecall: same.map((l) => l.id),
      mayRecall: resource.map((l) => l.id),
      mayEscalate: same.filter((l) => l.kind === "negative_knowledge").map((l) => l.id),
    };
  };

  const queries: LabelledQuery[] = [];
  const push = (q: Omit<LabelledQuery, "id">) => queries.push({ ...q, id: queries.length });
  const shapes: QueryShape[] = ["exact", "paraphrase", "reordered", "typo1", "typo2", "other_tool", "opaque_tool", "with_reason", "unknown_verb"];
  const targets = [...entries].sort(() => rnd.next() - 0.5).slice(0, Math.round(45 * scale));
  for (const { subject } of targets) {
    const operation = operationOf(subject);
    const resource = resourceOf(subject);
    const verbs = operation.verbs;
    for (const shape of shapes) {
      const verb = shape === "paraphrase" ? verbs[verbs.length - 1]! : verbs[0]!;
      const decision = (action: string, tool: string | null) => ({ action, tool, resource });
      let action: LabelledQuery["action"] = null;
      let q: string | null = null;
      if (shape === "exact") action = decision(`${verb} ${subject.name}`, operation.tools[0]!);
      else if (shape === "paraphrase")
        action = decision(`${verb} the ${subject.name} ${subject.domain === "ops" ? "container" : ""}`.trim(), operation.tools[operation.tools.length - 1]!);
      else if (shape === "reordered") q = `${subject.name} ${verb}`;
      else if (shape === "typo1") q = withTypos(`${verb} ${subject.name}`, 1, rnd);
      else if (shape === "typo2") action = decision(withTypos(`${verb} ${subject.name.replaceAll("-", " ")}`, 2, rnd), rnd.pick(operation.tools));
      else if (shape === "other_tool") action = decision(`${verb} ${subject.name}`, `${rnd.pick(["team", "fleet", "x"])}-ops.${operation.op}`);
      else if (shape === "opaque_tool") action = decision(`${rnd.pick(verbs)} ${subject.name}`, rnd.pick(OPAQUE_TOOLS));
      else if (shape === "unknown_verb") action = decision(`${UNKNOWN_VERBS[subject.op]!} ${subject.name}`, rnd.pick(OPAQUE_TOOLS));
      else q = `${verb} ${subject.name}${subject.env ? ` ${subject.env}` : ""} ${rnd.pick(["again", "now", "after the outage"])}`;
      push({ shape, action, q, subject, ...labels(subject, q !== null && subject.env === null ? true : q !== null && !q.includes(subject.env ?? "")) });
    }
  }
  // Queries that must recall nothing: resources no lesson is about, under operations that are known.
  for (let i = 0; i < Math.round(60 * scale); i++) {
    const domain = rnd.pick(DOMAINS);
    const operation = rnd.pick(domain.operations);
    const name = rnd.pick(UNKNOWN_RESOURCES);
    const env = rnd.pick(domain.environments);
    const verb = rnd.pick(operation.verbs);
    const asDecision = i % 2 === 0;
    push({
      shape: "nothing",
      action: asDecision ? { action: `${verb} ${name}`, tool: rnd.pick(operation.tools), resource: env ? `${env}/${name}` : `acme/${name}` } : null,
      q: asDecision ? null : `${verb} ${name}`,
      subject: null,
      mustRecall: [],
      mayRecall: [],
      mayEscalate: [],
    });
  }
  return { records, lessons: lessonId, queries };
}
