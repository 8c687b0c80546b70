import pg from "pg";
import { benchClient, benchDatabase, fmt, measure, measureInTurns, percentiles, runConcurrently, timeOnce } from "./support";
import { startWarden } from "./server";
import { SHARED_LESSONS as LESSONS } from "../tests/support/shared-lessons";

const SHARED_AGENTS = 200;

/**
 * POST /api/v1/actions on the auto path with 50 concurrent agents (each its own key), against
 * single-row INSERTs of rows shaped like `actions` at the same concurrency, in the same run and
 * from the same process. Then 200 agents at once proposing the same action, so that every
 * decision recalls the same remembered failures, across two Warden instances on the one
 * database, counting the answers that were not 201 (this deadlocked while the decision updated
 * the recalled entries' counters). Then the inbox's first page with 100,000 pending actions.
 */
export async function decisionsBenchmark(options: { decisions: number; sharedDecisions: number; pending: number; port: number }) {
  const url = await benchDatabase("warden_bench_decisions");
  process.env.DATABASE_URL = url;
  const { db } = await import("../server/db/client");
  const { createUser } = await import("../server/users/create-user");
  const { createApiToken } = await import("../server/users/api-tokens");
  const { registerAgent } = await import("../server/agents/register-agent");
  const { putTool } = await import("../server/tools/tool-registry");
  const { listPendingApprovals } = await import("../server/approvals/list-approvals");
  const { recordMemory } = await import("../server/memory/record-memory");

  const system = { type: "system" as const, id: null, label: "bench" };
  const { user } = await createUser(db, system, { email: "approver@bench.test", role: "admin", password: "bench-password-1" });
  const actor = { type: "user" as const, id: user.id, label: user.email, role: "admin" as const };
  const { secret: token } = await createApiToken(db, actor, "bench");
  await putTool(db, actor, "bench.noop", { scopes: [], risk: "low" });
  const agents: Awaited<ReturnType<typeof registerAgent>>[] = [];
  for (let i = 0; i < 50; i++) agents.push(await registerAgent(db, actor, { name: `bench-${i}`, role: "specialist", team: "ops", tools: ["bench.noop"] }));

  const pool = new pg.Pool({ connectionString: url, max: 50 });
  await pool.query(`CREATE TABLE bench_raw (LIKE actions INCLUDING DEFAULTS INCLUDING INDEXES)`);
  const rawInsert = (i: number) =>
    pool
      .query(
        `INSERT INTO bench_raw (id, agent_id, action, tool, args, confidence, decision, reasons, policy_version, status, updated_at)
         VALUES (gen_random_uuid(), $1, 'noop', 'bench.noop', '{"i": 1}', 0.99, 'auto_execute', '[]', 1, 'approved', now())`,
        [agents[i % 50]!.agent.id],
      )
      .then(() => undefined);

  const warden = await startWarden(url, options.port);
  const client = benchClient(warden.url);
  const propose = (i: number) =>
    client
      .post(
        "/api/v1/actions",
        { authorization: `Bearer ${agents[i % 50]!.key.secret}` },
        { action: `noop ${i}`, tool: "bench.noop", confidence: 0.99, args: { i } },
      )
      .then((r) => {
        if (r.status !== 201) throw new Error(`POST /api/v1/actions answered ${r.status}: ${r.text}`);
      });

  // The same, each with an Idempotency-Key (a fresh one per request: the answer is stored).
  const proposeIdempotent = (i: number) =>
    client
      .post(
        "/api/v1/actions",
        { authorization: `Bearer ${agents[i % 50]!.key.secret}`, "idempotency-key": `bench-${i}` },
        { action: `noop keyed ${i}`, tool: "bench.noop", confidence: 0.99, args: { i } },
      )
      .then((r) => {
        if (r.status !== 201) throw new Error(`POST /api/v1/actions with Idempotency-Key answered ${r.status}: ${r.text}`);
      });

  const results: Record<string, unknown> = {};
  try {
    // Warm-up of both request kinds (JIT, connection pools, prepared statements, caches), so the
    // keyed run is not measured warmer than the plain one.
    await measure(1_000, 50, propose);
    await measure(1_000, 50, proposeIdempotent);
    await measure(500, 50, rawInsert);
    // Taking turns (raw, plain, keyed, then back), so that a slower minute falls on all three.
    const { raw, decisions, keyed } = await measureInTurns(options.decisions, 50, {
      raw: rawInsert,
      decisions: propose,
      keyed: (i) => proposeIdempotent(i + options.decisions),
    });
    const ratio = decisions.perSecond / raw.perSecond;
    results.raw = raw;
    results.decisions = decisions;
    results.keyed = keyed;
    results.ratio = ratio;
    console.log(`\n## Guardrail decisions, auto path, 50 concurrent agents (${options.decisions.toLocaleString()} each)\n`);
    console.log("| | per second | p50 ms | p99 ms | max ms |");
    console.log("|---|---:|---:|---:|---:|");
    console.log(`| raw single-row INSERT | ${fmt(raw.perSecond, 0)} | ${fmt(raw.p50, 2)} | ${fmt(raw.p99, 2)} | ${fmt(raw.max, 2)} |`);
    console.log(`| POST /api/v1/actions | ${fmt(decisions.perSecond, 0)} | ${fmt(decisions.p50, 2)} | ${fmt(decisions.p99, 2)} | ${fmt(decisions.max, 2)} |`);
    console.log(
      `| POST /api/v1/actions with an Idempotency-Key | ${fmt(keyed.perSecond, 0)} | ${fmt(keyed.p50, 2)} | ${fmt(keyed.p99, 2)} | ${fmt(keyed.max, 2)} |`,
    );
    console.log(
      `\ndecisions reach ${fmt(ratio * 100)}% of the raw insert rate (target 25% now, 40% in the long run); p99 ${fmt(decisions.p99, 1)} ms (target 50 ms now, 25 ms in the long run)`,
    );
    console.log(`with an Idempotency-Key on every request: ${fmt((keyed.perSecond / decisions.perSecond) * 100)}% of the rate without (target 80%)`);

    // 200 agents at once, every decision recalling the same five lessons, over two instances.
    await putTool(db, actor, "bench.restart", { scopes: ["staging/*"], risk: "low" });
    const fleet: Awaited<ReturnType<typeof registerAgent>>[] = [];
    for (let i = 0; i < SHARED_AGENTS; i++) {
      fleet.push(await registerAgent(db, actor, { name: `shared-${i}`, role: "specialist", team: "ops", tools: ["bench.restart"], scopes: ["staging/*"] }));
    }
    const author = fleet[0]!.agent;
    const lessonIds: string[] = [];
    for (const body of LESSONS) {
      const recorded = await recordMemory(
        db,
        { type: "agent", id: author.id, label: author.name, role: "specialist", team: "ops" },
        {
          kind: "negative_knowledge",
          subject: "docker restart traefik on staging/traefik (bench.restart)",
          body,
        },
      );
      lessonIds.push(recorded.id);
    }
    const second = await startWarden(url, options.port + 1);
    const clients = [benchClient(warden.url, SHARED_AGENTS), benchClient(second.url, SHARED_AGENTS)];
    const statuses = new Map<number, number>();
    const proposeShared = (i: number) =>
      clients[i % 2]!.post(
        "/api/v1/actions",
        { authorization: `Bearer ${fleet[i % SHARED_AGENTS]!.key.secret}` },
        { action: "docker restart traefik", tool: "bench.restart", resource: "staging/traefik", confidence: 0.97, args: { i } },
      )
        .then((r) => r.status)
        .catch(() => 0)
        .then((status) => statuses.set(status, (statuses.get(status) ?? 0) + 1));
    try {
      await runConcurrently(SHARED_AGENTS, SHARED_AGENTS, proposeShared); // warm-up of the second instance
      statuses.clear();
      const rawShared = await measure(options.sharedDecisions, SHARED_AGENTS, rawInsert);
      const run = await runConcurrently(options.sharedDecisions, SHARED_AGENTS, proposeShared);
      const shared = { count: options.sharedDecisions, seconds: run.seconds, perSecond: options.sharedDecisions / run.seconds, ...percentiles(run.latencies) };
      const errors = options.sharedDecisions - (statuses.get(201) ?? 0);
      const serverErrors = [...statuses].filter(([status]) => status === 0 || status >= 500).reduce((n, [, c]) => n + c, 0);
      // The recall counters are folded from the log by both instances within a few seconds.
      const expected = options.sharedDecisions + SHARED_AGENTS;
      let counters: number[] = [];
      for (let i = 0; i < 100; i++) {
        counters = (await pool.query("SELECT times_recalled FROM memories WHERE id = ANY($1::uuid[])", [lessonIds])).rows.map(
          (r) => r.times_recalled as number,
        );
        if (counters.every((n) => n === expected)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      results.shared = { raw: rawShared, decisions: shared, errors, serverErrors, statuses: Object.fromEntries(statuses), counters, expectedCounter: expected };
      console.log(
        `\n## ${SHARED_AGENTS} concurrent agents sharing the same remembered failures, two instances (${options.sharedDecisions.toLocaleString()} proposals)\n`,
      );
      console.log("| | per second | p50 ms | p99 ms | max ms | errors |");
      console.log("|---|---:|---:|---:|---:|---:|");
      console.log(
        `| raw single-row INSERT, ${SHARED_AGENTS} concurrent | ${fmt(rawShared.perSecond, 0)} | ${fmt(rawShared.p50, 2)} | ${fmt(rawShared.p99, 2)} | ${fmt(rawShared.max, 2)} | 0 |`,
      );
      console.log(
        `| POST /api/v1/actions, 5 shared lessons recalled each | ${fmt(shared.perSecond, 0)} | ${fmt(shared.p50, 2)} | ${fmt(shared.p99, 2)} | ${fmt(shared.max, 2)} | ${errors} |`,
      );
      console.log(
        `\nanswers by status: ${JSON.stringify(Object.fromEntries(statuses))}; 5xx or no answer: ${serverErrors}; ` +
          `times_recalled of the five lessons: ${counters.join(", ")} (expected ${expected} each)`,
      );
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await second.stop();
    }

    // The inbox with 100,000 pending actions.
    await pool.query(
      `INSERT INTO actions (id, agent_id, action, tool, args, confidence, decision, reasons, policy_version, status, risk, required_approvals, expires_at, created_at, updated_at)
       SELECT gen_random_uuid(), $1, 'restart service ' || g, 'bench.noop', jsonb_build_object('n', g), random() * 0.7,
              'require_approval', '[]', 1, 'pending_approval',
              (ARRAY['low','medium','high','critical'])[1 + g % 4]::"ToolRisk", 1, now() + interval '1 day',
              now() - (g || ' seconds')::interval, now()
         FROM generate_series(1, $2::int) g`,
      [agents[0]!.agent.id, options.pending],
    );
    await pool.query("ANALYZE actions");
    const inbox: Record<string, number> = {};
    for (const sort of ["oldest", "newest", "risk", "confidence"] as const) {
      const times: number[] = [];
      for (let i = 0; i < 11; i++) times.push((await timeOnce(() => listPendingApprovals(db, { sort, limit: 50 }))).ms);
      times.sort((a, b) => a - b);
      inbox[sort] = times[5]!;
    }
    const http: number[] = [];
    for (let i = 0; i < 11; i++) {
      http.push(
        (await timeOnce(() => fetch(`${warden.url}/api/v1/approvals?limit=50`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json()))).ms,
      );
    }
    http.sort((a, b) => a - b);
    results.inbox = { ...inbox, httpMedian: http[5] };
    console.log(`\n## The inbox's first page (50 rows) with ${options.pending.toLocaleString()} pending actions\n`);
    console.log("| sort | server median ms |");
    console.log("|---|---:|");
    for (const [sort, ms] of Object.entries(inbox)) console.log(`| ${sort} | ${fmt(ms, 2)} |`);
    console.log(`| GET /api/v1/approvals over HTTP (whole request) | ${fmt(http[5]!, 2)} |`);
  } finally {
    await client.close();
    await warden.stop();
    await pool.end();
    await db.$disconnect();
  }
  return results;
}
