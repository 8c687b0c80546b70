import { performance } from "node:perf_hooks";
import { Pool } from "undici";
import { migrate } from "../server/db/migrate";
import { createFreshDatabase } from "../tests/support/test-database";

/** A fresh, migrated database for one benchmark, on the same server the tests use. */
export async function benchDatabase(name: string): Promise<string> {
  const url = await createFreshDatabase(name);
  if (!url) throw new Error("benchmarks need a PostgreSQL server: set DATABASE_URL or start one on 127.0.0.1:5432");
  await migrate(url);
  return url;
}

export type Timing = { count: number; seconds: number; perSecond: number; p50: number; p99: number; max: number };

/** Runs `task` `count` times over `concurrency` workers, keeping every latency (ms) and the wall time. */
export async function runConcurrently(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = new Array(count);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) {
        const t0 = performance.now();
        await task(i);
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

/** Runs `task` `count` times over `concurrency` workers; latencies in milliseconds. */
export async function measure(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<Timing> {
  const { latencies, seconds } = await runConcurrently(count, concurrency, task);
  return { count, seconds, perSecond: count / seconds, ...percentiles(latencies) };
}

/**
 * Measures tasks taking turns (A B C, then C B A, …), `count` runs of each in all, split over
 * `turns` turns each: drift on a shared machine (another process waking, a slower minute) falls
 * on every task alike, so their ratio means something even when one run's figures move by a
 * third. A task's index runs from 0 to count - 1 over its turns. Figures are over all its turns.
 */
export async function measureInTurns<K extends string>(
  count: number,
  concurrency: number,
  tasks: Record<K, (i: number) => Promise<void>>,
  turns = 4,
): Promise<Record<K, Timing>> {
  const names = Object.keys(tasks) as K[];
  const runs = new Map<K, { latencies: number[]; seconds: number }>(names.map((name) => [name, { latencies: [], seconds: 0 }]));
  const per = Math.ceil(count / turns);
  for (let turn = 0; turn < turns; turn++) {
    const offset = turn * per;
    const size = Math.min(per, count - offset);
    if (size <= 0) break;
    for (const name of turn % 2 === 0 ? names : [...names].reverse()) {
      const { latencies, seconds } = await runConcurrently(size, concurrency, (i) => tasks[name](offset + i));
      const total = runs.get(name)!;
      total.latencies.push(...latencies);
      total.seconds += seconds;
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const { latencies, seconds } = runs.get(name)!;
      return [name, { count: latencies.length, seconds, perSecond: latencies.length / seconds, ...percentiles(latencies) }];
    }),
  ) as Record<K, Timing>;
}

export function percentiles(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
}

export async function timeOnce<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

export const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * The load generator's HTTP client: undici's connection pool (`request`), not `fetch`. On these
 * two cores the generator runs beside Warden and PostgreSQL, and fetch cost it 0.8 ms of CPU a
 * request against 0.15 ms for `request` (measured on POST /api/v1/actions): with fetch the
 * benchmark measured its own client as much as Warden. The raw baselines use node-postgres,
 * which is as lean.
 */
export function benchClient(base: string, connections = 64) {
  const pool = new Pool(base, { connections, keepAliveTimeout: 60_000 });
  const call = async (method: "GET" | "POST", path: string, headers: Record<string, string>, body?: unknown) => {
    const response = await pool.request({
      method,
      path,
      headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    return { status: response.statusCode, text: await response.body.text() };
  };
  return {
    get: (path: string, headers: Record<string, string> = {}) => call("GET", path, headers),
    post: (path: string, headers: Record<string, string>, body: unknown) => call("POST", path, headers, body),
    close: () => pool.close(),
  };
}
