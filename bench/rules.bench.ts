import { performance } from "node:perf_hooks";
import { fmt, percentiles } from "./support";
import { evaluateAction, type EvaluationInput } from "../server/guardrails/evaluate-action";
import { compileRuleSet } from "../server/policy/compiled-rules";
import { DEFAULT_POLICY, type PolicyDocument } from "../server/schemas/policy";
import type { PolicyRule } from "../server/schemas/policy-rules";

/*
 * What rules add to a decision: evaluateAction (the whole guardrail decision, patterns and
 * confidence included, no database) with 0 rules as the baseline, then 10 and 100 rules, in the
 * same process and run. The rules are the kinds docs/policies.md shows (windows, calendars,
 * resources, teams, args, ages), each on a tool of its own so that most do not match, as in a
 * real policy; one of every ten matches the proposal. Also the one-off cost of compiling a
 * version's rules, paid once per version per process.
 */

const KINDS: ((i: number) => string)[] = [
  (i) => `tool.name == "db.restart.${i}" && resource.startsWith("prod/") && inWindow(now, "Mon-Fri 09:00-18:00", "Europe/Berlin")`,
  (i) => `tool.name == "deploy.${i}" && inCalendar(now, "change-freeze")`,
  (i) => `agent.team == "content-${i}" && tool.name == "post.${i}"`,
  (i) => `resource.startsWith("prod/") && agent.ageDays < 7.0 && tool.name == "t${i}"`,
  (i) => `has(args.rows) && args.rows > 1000 && tool.name == "db.delete.${i}"`,
  (i) => `now.getHours("America/New_York") >= 22 && tool.name == "nightly.${i}"`,
  (i) => `action.contains("drop database") && tool.name == "sql.${i}"`,
  (i) => `tool.risk == "high" && confidence < 0.9 && agent.name == "agent-${i}"`,
  (i) => `inWindow(now, "Fri 22:00-02:00", "UTC") && tool.name == "batch.${i}"`,
  // The one that matches the proposal below: it waits for a human.
  (i) => `tool.name == "bench.noop" && resource.startsWith("prod/") && ${i} >= 0`,
];

function rules(count: number): PolicyRule[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `rule ${i}`,
    when: KINDS[i % KINDS.length]!(i),
    then: { decision: i % 10 === 9 ? "require_approval" : "execute_with_notification" },
  }));
}

const input: EvaluationInput = {
  action: "restart the cache",
  tool: "bench.noop",
  resource: "prod/cache",
  args: { rows: 10 },
  confidence: 0.99,
  taskInProgress: false,
  agent: { id: "a", name: "bench-0", team: "ops", role: "specialist", tools: ["bench.noop"], scopes: [], createdAt: new Date("2026-01-01T00:00:00Z") },
  toolDef: { name: "bench.noop", scopes: [], requiresConfirmation: false, risk: "low", reversible: true },
  control: { state: "running" },
  rateLimit: null,
  matchingFailures: [],
  now: new Date("2026-12-01T13:00:00Z"),
};

const calendars = { "change-freeze": { timeZone: "Europe/Berlin", periods: [{ from: "2026-12-20", to: "2027-01-03" }] } };

function timeDecisions(policy: PolicyDocument, count: number): number[] {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    evaluateAction(input, policy);
    latencies.push((performance.now() - t0) * 1000);
  }
  return latencies;
}

export async function rulesBenchmark(options: { decisions: number }) {
  const policies = [0, 10, 100].map((n) => ({ n, policy: { ...DEFAULT_POLICY, calendars, rules: rules(n) } as PolicyDocument }));
  // Warm up each (this also compiles each version once, as the server does on first use).
  for (const { policy } of policies) timeDecisions(policy, 2_000);
  const rows: { rules: number; decision: string; p50: number; p99: number; mean: number; compileMs: number }[] = [];
  for (const { n, policy } of policies) {
    const latencies = timeDecisions(policy, options.decisions);
    const t0 = performance.now();
    compileRuleSet(policy);
    const compileMs = performance.now() - t0;
    const { p50, p99 } = percentiles(latencies);
    rows.push({
      rules: n,
      decision: evaluateAction(input, policy).decision,
      p50,
      p99,
      mean: latencies.reduce((a, b) => a + b, 0) / latencies.length,
      compileMs,
    });
  }
  const base = rows[0]!;
  console.log(`\n## Rules: decision latency (evaluateAction, in process), ${options.decisions.toLocaleString()} decisions each\n`);
  console.log("| rules | decision | p50 µs | p99 µs | mean µs | over 0 rules (mean) | compile once per version |");
  console.log("|---|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.rules} | ${r.decision} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.mean)} | ${r.rules === 0 ? "baseline" : `+${fmt(r.mean - base.mean)} µs`} | ${r.rules === 0 ? "-" : `${fmt(r.compileMs)} ms`} |`,
    );
  }
  return { rows };
}
