import pg from "pg";
import { benchDatabase, fmt, timeOnce } from "./support";

const DAY = 86400_000;

/**
 * The metrics overview at scale: 10,000,000 actions and 1,000,000 usage events over 90 days,
 * 200 agents in 5 teams. Builds the rollups once (as a fresh install with history would), then
 * times every query behind the 30-day overview (fleet, one team, one agent), against the same
 * figures computed straight from the actions table in the same run; then one incremental pass.
 */
export async function metricsBenchmark(options: { actions: number; usage: number }) {
  const url = await benchDatabase("warden_bench_metrics");
  process.env.DATABASE_URL = url;
  const { db } = await import("../server/db/client");
  const { rollUpActions } = await import("../server/metrics/rollup-actions");
  const { loadOverview, loadDriftEvents } = await import("../server/metrics/metrics-queries");
  const { learningSignals } = await import("../server/memory/learning-signals");
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const results: Record<string, unknown> = {};
  console.log(`\n## Metrics over ${options.actions.toLocaleString()} actions and ${options.usage.toLocaleString()} usage events (90 days)\n`);

  await pool.query(`
    INSERT INTO agents (id, name, role, team, capabilities, tools, scopes, updated_at)
    SELECT gen_random_uuid(), 'agent-' || g, 'specialist', 'team-' || (g % 5), '{}', '{}', '{}', now() FROM generate_series(1, 200) g`);
  const chunk = 1_000_000;
  const fillActions = await timeOnce(async () => {
    for (let done = 0; done < options.actions; done += chunk) {
      const n = Math.min(chunk, options.actions - done);
      // A realistic mix: 70% run alone, 8% run and notify, 18% wait for a person, 4% refused; people
      // approve most unchanged (some in under 2 s), edit, reject or let expire the rest.
      await pool.query(
        `WITH ag AS (SELECT array_agg(id ORDER BY name) AS ids FROM agents)
         INSERT INTO actions (id, agent_id, action, tool, confidence, decision, policy_version, status, args_edited,
                              decided_by_id, decided_at, cost_usd, repeated_failure, created_at, updated_at)
         SELECT gen_random_uuid(), ag.ids[1 + (g % 200)], 'do thing', 'tool.' || ((g % 200) % 7 + (g / 100000) % 3),
                c, d, 1,
                CASE WHEN d = 'deny' THEN 'denied'
                     WHEN d = 'require_approval' THEN (ARRAY['succeeded','succeeded','succeeded','approved','rejected','expired','failed'])[1 + (g % 7)]
                     WHEN r < c THEN 'succeeded' ELSE 'failed' END::"ActionStatus",
                d = 'require_approval' AND g % 11 = 0,
                CASE WHEN d = 'require_approval' AND g % 7 <> 5 THEN gen_random_uuid()::text END,
                CASE WHEN d = 'require_approval' AND g % 7 <> 5 THEN at + ((g % 600) * interval '1 second') END,
                (g % 100) / 1000.0, CASE WHEN r >= c THEN g % 5 = 0 END, at, at
           FROM ag, generate_series($1::bigint, $1::bigint + $2::bigint - 1) g,
                LATERAL (SELECT now() - ((g::float8 / $3) * interval '90 days') AS at, (g % 97) / 100.0 + 0.02 AS c, ((g * 7919) % 1000) / 1000.0 AS r) x,
                LATERAL (SELECT CASE WHEN g % 100 < 70 THEN 'auto_execute' WHEN g % 100 < 78 THEN 'execute_with_notification'
                                     WHEN g % 100 < 96 THEN 'require_approval' ELSE 'deny' END::"Decision" AS d) y`,
        [done, n, options.actions],
      );
      process.stdout.write(`  actions: ${(done + n).toLocaleString()}\r`);
    }
  });
  const fillUsage = await timeOnce(() =>
    pool.query(
      `WITH ag AS (SELECT array_agg(id ORDER BY name) AS ids FROM agents)
       INSERT INTO usage_events (agent_id, model, input_tokens, output_tokens, usd, at)
       SELECT ag.ids[1 + (g % 200)], (ARRAY['gpt-5','claude-opus','claude-haiku','llama-70b'])[1 + g % 4], 500 + g % 4000, 100 + g % 900,
              ((500 + g % 4000) * 3 + (100 + g % 900) * 15) / 1e6, now() - ((g::float8 / $1) * interval '90 days')
         FROM ag, generate_series(1, $1::int) g`,
      [options.usage],
    ),
  );
  await pool.query(
    `INSERT INTO memories (id, kind, subject, subject_key, body, author_label, updated_at) VALUES (gen_random_uuid(), 'negative_knowledge', 'do thing', 'do thing', 'it broke', 'bench', now())`,
  );
  await pool.query(`INSERT INTO memory_recalls (memory_id, agent_id, action_id, score, at)
                    SELECT (SELECT id FROM memories LIMIT 1), a.agent_id, a.id, 0.6, a.created_at FROM actions a TABLESAMPLE SYSTEM (1)`);
  await pool.query("ANALYZE");
  console.log(`filled: actions ${fmt(fillActions.ms / 1000)} s, usage events ${fmt(fillUsage.ms / 1000)} s`);

  const build = await timeOnce(() => rollUpActions(db));
  await pool.query("ANALYZE");
  const [{ hours }] = (await pool.query("SELECT count(*)::int AS hours FROM metric_hours")).rows as [{ hours: number }];
  console.log(`rollup, first pass over all history: ${fmt(build.ms / 1000)} s (${hours.toLocaleString()} agent-hours)\n`);
  results.fill = { actionsSeconds: fillActions.ms / 1000, usageSeconds: fillUsage.ms / 1000, rollupBuildSeconds: build.ms / 1000, agentHours: hours };

  const to = new Date(Math.ceil(Date.now() / 3600_000) * 3600_000);
  const from = new Date(to.getTime() - 30 * DAY);
  const { rows: sample } = await pool.query<{ id: string; team: string }>("SELECT id, team FROM agents ORDER BY name LIMIT 1");
  const scopes = { fleet: { from, to }, team: { from, to, team: sample[0]!.team }, agent: { from, to, agentId: sample[0]!.id } };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const time = async (fn: () => Promise<unknown>) => {
    await fn();
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) runs.push((await timeOnce(fn)).ms);
    return { median: median(runs), max: Math.max(...runs) };
  };
  const queries: Record<string, (s: typeof scopes.fleet) => Promise<unknown>> = {
    "overview (series, agents, latency, calibration)": (s) => loadOverview(db, s),
    "drift events": (s) => loadDriftEvents(db, s),
    "learning signals": (s) => learningSignals(db, s),
    "usage cost per day and model": (s) =>
      pool.query(
        `SELECT day, model, sum(usd) FROM usage_days WHERE day >= $1::date ${"agentId" in s ? "AND agent_id = $2" : ""} GROUP BY 1, 2`,
        "agentId" in s ? [s.from, s.agentId] : [s.from],
      ),
  };
  // The usage rollup the server keeps (usage_days), built here in one statement for the bench.
  await pool.query(`INSERT INTO usage_days (day, agent_id, model, events, input_tokens, output_tokens, usd)
                    SELECT (at AT TIME ZONE 'UTC')::date, agent_id, model, count(*), sum(input_tokens), sum(output_tokens), coalesce(sum(usd), 0)
                      FROM usage_events GROUP BY 1, 2, 3`);
  console.log("| query (30 days) | fleet ms | one team ms | one agent ms |");
  console.log("|---|---:|---:|---:|");
  const timings: Record<string, Record<string, { median: number; max: number }>> = {};
  for (const [name, fn] of Object.entries(queries)) {
    timings[name] = {};
    for (const [scopeName, scope] of Object.entries(scopes)) timings[name]![scopeName] = await time(() => fn(scope));
    const t = timings[name]!;
    console.log(`| ${name} | ${fmt(t.fleet!.median, 1)} (max ${fmt(t.fleet!.max, 0)}) | ${fmt(t.team!.median, 1)} | ${fmt(t.agent!.median, 1)} |`);
  }
  // Baseline: the overview's counts straight from the actions table, as without rollups.
  const raw = await time(() =>
    pool.query(
      `SELECT date_trunc('day', created_at), agent_id, count(*), count(*) FILTER (WHERE decision = 'require_approval'), count(*) FILTER (WHERE status = 'failed'),
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - created_at)) FILTER (WHERE decided_at IS NOT NULL)
         FROM actions WHERE created_at >= $1 GROUP BY 1, 2`,
      [from],
    ),
  );
  console.log(`| baseline: the same counts from the actions table | ${fmt(raw.median, 1)} | | |`);
  timings.baseline = { fleet: raw };

  // One incremental pass after 2,000 actions changed (approvals decided, results reported).
  await pool.query(`UPDATE actions SET status = 'succeeded' WHERE id IN (SELECT id FROM actions WHERE created_at >= now() - interval '2 days' LIMIT 2000)`);
  const incremental = await timeOnce(() => rollUpActions(db));
  console.log(`\nincremental rollup pass after 2,000 changed actions: ${fmt(incremental.ms, 0)} ms`);
  results.timings = timings;
  results.incrementalMs = incremental.ms;
  await pool.end();
  await db.$disconnect();
  return results;
}
