import pg from "pg";
import { benchClient, benchDatabase, fmt, measure, percentiles, timeOnce } from "./support";
import { startWarden } from "./server";

/**
 * Claim + complete through the HTTP API with 50 concurrent workers, against a raw
 * `UPDATE … RETURNING` claim-and-finish loop on a copy of the tasks table at the same
 * concurrency, in the same run; then the claim latency with 1,000,000 queued tasks.
 */
export async function tasksBenchmark(options: { tasks: number; queued: number; port: number }) {
  const url = await benchDatabase("warden_bench_tasks");
  process.env.DATABASE_URL = url;
  const { db } = await import("../server/db/client");
  const { registerAgent } = await import("../server/agents/register-agent");
  const { claimTask } = await import("../server/tasks/claim-task");
  const system = { type: "system" as const, id: null, label: "bench" };
  const workers: Awaited<ReturnType<typeof registerAgent>>[] = [];
  for (let i = 0; i < 50; i++) workers.push(await registerAgent(db, system, { name: `worker-${i}`, role: "specialist", team: "ops", capabilities: ["bench"] }));

  const pool = new pg.Pool({ connectionString: url, max: 50 });
  const fill = (table: string, count: number, capability = "'bench'") =>
    pool.query(
      `INSERT INTO ${table} (id, title, capability, priority, created_by_type, created_by_label, updated_at)
       SELECT gen_random_uuid(), 'task ' || g, ${capability}, ((g::bigint * 7919) % 101)::int, 'system', 'bench', now() FROM generate_series(1, $1::int) g`,
      [count],
    );
  await pool.query(`CREATE TABLE tasks_raw (LIKE tasks INCLUDING DEFAULTS INCLUDING INDEXES)`);
  await pool.query(`CREATE SEQUENCE tasks_raw_seq; ALTER TABLE tasks_raw ALTER COLUMN queue_seq SET DEFAULT nextval('tasks_raw_seq')`);
  await fill("tasks_raw", options.tasks + 500);
  await fill("tasks", options.tasks + 500);
  const rawClaimComplete = async (i: number) => {
    const claimed = await pool.query(
      `UPDATE tasks_raw SET status = 'leased', leased_by = $1, attempts = attempts + 1, lease_expires_at = now() + interval '1 minute'
        WHERE id = (SELECT id FROM tasks_raw WHERE status = 'queued' AND capability = 'bench' ORDER BY priority DESC, queue_seq LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [workers[i % 50]!.agent.id],
    );
    await pool.query(`UPDATE tasks_raw SET status = 'succeeded', completed_at = now() WHERE id = $1 RETURNING id`, [claimed.rows[0].id]);
  };

  const warden = await startWarden(url, options.port);
  const client = benchClient(warden.url);
  const results: Record<string, unknown> = {};
  try {
    const claimComplete = async (i: number) => {
      const auth = { authorization: `Bearer ${workers[i % 50]!.key.secret}` };
      const claimed = await client.post("/api/v1/tasks/claim", auth, "{}");
      if (claimed.status !== 200) throw new Error(`claim answered ${claimed.status}`);
      const { task } = JSON.parse(claimed.text) as { task: { id: string } };
      const done = await client.post(`/api/v1/tasks/${task.id}/complete`, auth, '{"output":{"ok":true}}');
      if (done.status !== 200) throw new Error(`complete answered ${done.status}`);
    };
    await measure(500, 50, rawClaimComplete);
    await measure(500, 50, claimComplete);
    const raw = await measure(options.tasks, 50, rawClaimComplete);
    const api = await measure(options.tasks, 50, claimComplete);
    results.raw = raw;
    results.api = api;
    console.log(`\n## Claim + complete, 50 concurrent workers (${options.tasks.toLocaleString()} tasks each)\n`);
    console.log("| | pairs per second | p50 ms | p99 ms |");
    console.log("|---|---:|---:|---:|");
    console.log(`| raw UPDATE … RETURNING claim + finish | ${fmt(raw.perSecond, 0)} | ${fmt(raw.p50, 2)} | ${fmt(raw.p99, 2)} |`);
    console.log(`| POST /tasks/claim + /complete | ${fmt(api.perSecond, 0)} | ${fmt(api.p50, 2)} | ${fmt(api.p99, 2)} |`);
    console.log(`\nthe API reaches ${fmt((api.perSecond / raw.perSecond) * 100)}% of the raw loop`);

    // A million queued tasks over ten capabilities; the claimer serves one of them.
    await fill("tasks", options.queued, `'cap-' || (g % 10)`);
    await pool.query("ANALYZE tasks");
    const claimer = await registerAgent(db, system, { name: "claimer", role: "specialist", team: "ops", capabilities: ["cap-3"] });
    const agentRow = await db.agent.findUniqueOrThrow({ where: { id: claimer.agent.id } });
    const control = { state: "running" as const, epoch: 0, reason: null };
    const server: number[] = [];
    for (let i = 0; i < 220; i++) {
      const { ms } = await timeOnce(() => claimTask(db, { agent: agentRow, control }, 0));
      if (i >= 20) server.push(ms);
    }
    const http: number[] = [];
    for (let i = 0; i < 220; i++) {
      const { ms } = await timeOnce(() =>
        fetch(`${warden.url}/api/v1/tasks/claim`, { method: "POST", headers: { authorization: `Bearer ${claimer.key.secret}` }, body: "{}" }).then((r) =>
          r.arrayBuffer(),
        ),
      );
      if (i >= 20) http.push(ms);
    }
    const s = percentiles(server);
    const h = percentiles(http);
    results.claimWithMillionQueued = { server: s, http: h };
    console.log(`\n## Claim latency with ${options.queued.toLocaleString()} queued tasks (200 claims)\n`);
    console.log("| | p50 ms | p99 ms | max ms |");
    console.log("|---|---:|---:|---:|");
    console.log(`| claimTask on the server | ${fmt(s.p50, 2)} | ${fmt(s.p99, 2)} | ${fmt(s.max, 2)} |`);
    console.log(`| POST /api/v1/tasks/claim over HTTP | ${fmt(h.p50, 2)} | ${fmt(h.p99, 2)} | ${fmt(h.max, 2)} |`);
  } finally {
    await client.close();
    await warden.stop();
    await pool.end();
    await db.$disconnect();
  }
  return results;
}
