import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { auditBenchmark } from "./audit.bench";
import { controlBenchmark } from "./control.bench";
import { decisionsBenchmark } from "./decisions.bench";
import { healthBenchmark } from "./health.bench";
import { mcpGatewayBenchmark } from "./mcp-gateway.bench";
import { memoryBenchmark } from "./memory.bench";
import { metricsBenchmark } from "./metrics.bench";
import { qualityBenchmark } from "./quality.bench";
import { recallBenchmark } from "./recall.bench";
import { rulesBenchmark } from "./rules.bench";
import { sdkBenchmark } from "./sdk";
import { tasksBenchmark } from "./tasks.bench";
import { usageBenchmark } from "./usage.bench";

/**
 * `npm run bench [-- name ...]`: each benchmark prints a markdown table with its own baseline
 * measured in the same run, and the raw figures go to bench/results/<name>.json.
 */
const BENCHMARKS: Record<string, () => Promise<Record<string, unknown>>> = {
  decisions: () =>
    decisionsBenchmark({
      decisions: Number(process.env.BENCH_DECISIONS ?? 5_000),
      sharedDecisions: Number(process.env.BENCH_SHARED_DECISIONS ?? 2_000),
      pending: Number(process.env.BENCH_PENDING ?? 100_000),
      port: Number(process.env.BENCH_DECISIONS_PORT ?? 11496),
    }),
  health: () => healthBenchmark({ requests: Number(process.env.BENCH_HEALTH_REQUESTS ?? 50_000), port: Number(process.env.BENCH_HEALTH_PORT ?? 11491) }),
  control: () => controlBenchmark({ agents: Number(process.env.BENCH_AGENTS ?? 1_000), ports: [11493, 11494] }),
  tasks: () => tasksBenchmark({ tasks: Number(process.env.BENCH_TASKS ?? 5_000), queued: Number(process.env.BENCH_QUEUED ?? 1_000_000), port: 11495 }),
  memory: () => memoryBenchmark({ entries: Number(process.env.BENCH_MEMORIES ?? 1_000_000) }),
  recall: () => recallBenchmark({ fill: Number(process.env.BENCH_RECALL_FILL ?? 1_000_000) }),
  metrics: () => metricsBenchmark({ actions: Number(process.env.BENCH_ACTIONS ?? 10_000_000), usage: Number(process.env.BENCH_USAGE ?? 1_000_000) }),
  quality: () => qualityBenchmark({ scores: Number(process.env.BENCH_SCORES ?? 1_000_000) }),
  audit: () => auditBenchmark({ rows: Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000), appends: Number(process.env.BENCH_APPENDS ?? 5_000) }),
  usage: () => usageBenchmark({ events: Number(process.env.BENCH_USAGE_EVENTS ?? 5_000), port: Number(process.env.BENCH_USAGE_PORT ?? 11497) }),
  rules: () => rulesBenchmark({ decisions: Number(process.env.BENCH_RULE_DECISIONS ?? 20_000) }),
  "mcp-gateway": () =>
    mcpGatewayBenchmark({
      calls: Number(process.env.BENCH_MCP_GATEWAY_CALLS ?? 2_000),
      port: Number(process.env.BENCH_MCP_GATEWAY_PORT ?? 11499),
      upstreamPort: Number(process.env.BENCH_MCP_UPSTREAM_PORT ?? 11489),
    }),
  sdk: () =>
    sdkBenchmark({
      calls: Number(process.env.BENCH_SDK_CALLS ?? 2_000),
      concurrency: Number(process.env.BENCH_SDK_CONCURRENCY ?? 1),
      port: Number(process.env.BENCH_SDK_PORT ?? 11498),
    }),
};

async function main() {
  const wanted = process.argv.slice(2);
  const names = wanted.length > 0 ? wanted : Object.keys(BENCHMARKS);
  if (names.length > 1) {
    // One process per benchmark: each points the process's one database client (kept on
    // globalThis, as the server does) at a database of its own.
    for (const name of names) {
      const run = spawnSync(process.execPath, ["--import", "tsx", "bench/run.ts", name], { stdio: "inherit" });
      if (run.status !== 0) throw new Error(`benchmark ${name} failed (${run.signal ?? `exit ${run.status}`})`);
    }
    return;
  }
  console.log(`# Warden benchmarks — ${new Date().toISOString()} — ${os.cpus().length} cores, node ${process.version}`);
  mkdirSync("bench/results", { recursive: true });
  for (const name of names) {
    const run = BENCHMARKS[name];
    if (!run) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHMARKS).join(", ")}`);
    const results = await run();
    writeFileSync(`bench/results/${name}.json`, JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
