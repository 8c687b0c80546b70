import pg from "pg";
import { benchDatabase, fmt, measure, timeOnce, type Timing } from "./support";
import { startWarden } from "./server";

/**
 * POST /api/v1/usage from 50 concurrent agents (each its own key; tokens priced from the price
 * table, spend counters and budgets in the same transaction), against single-row INSERTs into
 * usage_events at the same concurrency, in the same run and from the same process. Measured
 * without budgets, with a budget on every agent, and with a budget on their team (whose check
 * serializes the team's events on one lock). Then one rollup pass over everything inserted.
 */
export async function usageBenchmark(options: { events: number; port: number }) {
  const url = await benchDatabase("warden_bench_usage");
  process.env.DATABASE_URL = url;
  const { db } = await import("../server/db/client");
  const { createUser } = await import("../server/users/create-user");
  const { registerAgent } = await import("../server/agents/register-agent");
  const { putModelPrice } = await import("../server/cost/prices");
  const { createBudget } = await import("../server/cost/budgets");
  const { rollUpUsage } = await import("../server/cost/roll-up-usage");
  const { recordUsage } = await import("../server/cost/record-usage");

  const system = { type: "system" as const, id: null, label: "bench" };
  const { user } = await createUser(db, system, { email: "admin@bench.test", role: "admin", password: "bench-password-1" });
  const actor = { type: "user" as const, id: user.id, label: user.email, role: "admin" as const };
  await putModelPrice(db, actor, { model: "bench-model", inputUsdPerMillion: 2.5, outputUsdPerMillion: 10 });
  const agents: Awaited<ReturnType<typeof registerAgent>>[] = [];
  for (let i = 0; i < 50; i++) agents.push(await registerAgent(db, actor, { name: `bench-${i}`, role: "specialist", team: "bench" }));

  const pool = new pg.Pool({ connectionString: url, max: 50 });
  const rawInsert = (i: number) =>
    pool
      .query(`INSERT INTO usage_events (agent_id, model, input_tokens, output_tokens, usd) VALUES ($1, 'bench-model', 1200, 300, 0.006)`, [
        agents[i % 50]!.agent.id,
      ])
      .then(() => undefined);

  const warden = await startWarden(url, options.port);
  const post = (i: number) =>
    fetch(`${warden.url}/api/v1/usage`, {
      method: "POST",
      headers: { authorization: `Bearer ${agents[i % 50]!.key.secret}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "bench-model", inputTokens: 1200, outputTokens: 300 }),
    }).then(async (r) => {
      if (r.status !== 201) throw new Error(`POST /api/v1/usage answered ${r.status}: ${await r.text()}`);
      await r.arrayBuffer();
    });

  const results: Record<string, unknown> = {};
  const row = (label: string, t: Timing) => `| ${label} | ${fmt(t.perSecond, 0)} | ${fmt(t.p50, 2)} | ${fmt(t.p99, 2)} | ${fmt(t.max, 2)} |`;
  try {
    await measure(500, 50, post); // warm-up: JIT, connection pools, route compilation
    await measure(500, 50, rawInsert);
    const inProcessCall = (i: number) =>
      recordUsage(
        db,
        { id: agents[i % 50]!.agent.id, name: agents[i % 50]!.agent.name, team: "bench" },
        { model: "bench-model", inputTokens: 1200, outputTokens: 300 },
      ).then(() => undefined);
    const raw = await measure(options.events, 50, rawInsert);
    const plain = await measure(options.events, 50, post);
    // The same service without HTTP (this process's own pool): what the route layer costs.
    const inProcess = await measure(options.events, 50, inProcessCall);
    for (const a of agents) await createBudget(db, actor, { scope: "agent", target: a.agent.id, period: "day", limitUsd: 1_000_000 });
    const agentBudgets = await measure(options.events, 50, post);
    await createBudget(db, actor, { scope: "team", target: "bench", period: "month", limitUsd: 1_000_000 });
    const teamBudget = await measure(options.events, 50, post);
    const inProcessTeam = await measure(options.events, 50, inProcessCall);

    const counted = await db.$queryRaw<{ usd: number }[]>`SELECT coalesce(sum(usd), 0)::float8 AS usd FROM spend_counters WHERE period = 'day'`;
    const expected = (500 + 5 * options.events) * 0.006;
    if (Math.abs(counted[0]!.usd - expected) > 1e-6) throw new Error(`spend counters hold ${counted[0]!.usd}, expected ${expected}`);
    // The server's background rollup folds as events arrive; this pass folds the rest, then the
    // rollup must hold exactly what the raw table holds.
    const rollup = await timeOnce(() => rollUpUsage(db));
    const [check] = await db.$queryRaw<{ raw: number; folded: number }[]>`
      SELECT (SELECT count(*) FROM usage_events)::int AS raw, (SELECT coalesce(sum(events), 0) FROM usage_days)::int AS folded`;
    if (check!.raw !== check!.folded) throw new Error(`usage_days holds ${check!.folded} events, usage_events ${check!.raw}`);

    Object.assign(results, {
      raw,
      plain,
      inProcess,
      agentBudgets,
      teamBudget,
      inProcessTeam,
      ratio: plain.perSecond / raw.perSecond,
      rollup: { ms: rollup.ms, folded: rollup.result.folded },
    });
    console.log(`\n## Usage ingestion, 50 concurrent agents (${options.events.toLocaleString()} events each)\n`);
    console.log("| | per second | p50 ms | p99 ms | max ms |");
    console.log("|---|---:|---:|---:|---:|");
    console.log(row("raw single-row INSERT into usage_events", raw));
    console.log(row("POST /api/v1/usage, no budgets", plain));
    console.log(row("recordUsage() in-process, no HTTP, no budgets", inProcess));
    console.log(row("POST /api/v1/usage, a daily budget on every agent", agentBudgets));
    console.log(row("POST /api/v1/usage, plus a monthly budget on their team", teamBudget));
    console.log(row("recordUsage() in-process, no HTTP, with the team budget", inProcessTeam));
    console.log(
      `\ningestion reaches ${fmt((plain.perSecond / raw.perSecond) * 100)}% of the raw insert rate (${fmt((agentBudgets.perSecond / raw.perSecond) * 100)}% with agent budgets, ${fmt((teamBudget.perSecond / raw.perSecond) * 100)}% with a team budget)`,
    );
    console.log(
      `the server's background rollup kept up; a last pass folded the remaining ${rollup.result.folded.toLocaleString()} events in ${fmt(rollup.ms, 0)} ms, and usage_days holds all ${check!.raw.toLocaleString()}`,
    );
  } finally {
    await warden.stop();
    await pool.end();
    await db.$disconnect();
  }
  return results;
}
