import pg from "pg";
import { benchDatabase, fmt, percentiles, timeOnce } from "./support";

const DAY_MS = 86_400_000;

/**
 * The quality series over a million generated scores spread over 30 days, 1,000 agents, four
 * evaluator criteria and people's thumbs: the metrics page's heaviest ask (the whole fleet,
 * 30 days) and its usual ones (a day by the hour, a few agents), with the plan of each, so a
 * regression to a table scan or an on-disk sort shows.
 */
export async function qualityBenchmark(options: { scores: number }) {
  const url = await benchDatabase("warden_bench_quality");
  process.env.DATABASE_URL = url;
  const { db } = await import("../server/db/client");
  const { Prisma } = await import("../server/db/generated/client");
  const { qualitySeries, qualitySeriesSql } = await import("../server/quality/quality-series");
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const fill = await timeOnce(() =>
    pool.query(
      `WITH agents AS (SELECT array_agg(gen_random_uuid()) AS ids FROM generate_series(1, 1000))
       INSERT INTO scores (id, action_id, agent_id, name, value, source, author_id, author_label, created_at)
       SELECT gen_random_uuid(), gen_random_uuid(), ids[1 + g % 1000],
              (ARRAY['human', 'correctness', 'helpfulness', 'safety', 'style'])[1 + g % 5],
              CASE WHEN g % 5 = 0 THEN (g % 2)::float8 ELSE random() END,
              (CASE WHEN g % 5 = 0 THEN 'human' ELSE 'evaluator' END)::"ScoreSource", gen_random_uuid(), 'bench',
              now() - interval '30 days' + g * interval '30 days' / $1::int
         FROM agents, generate_series(1, $1::int) g`,
      [options.scores],
    ),
  );
  // VACUUM sets the visibility map that index-only scans rely on (autovacuum does it in service).
  await pool.query("VACUUM ANALYZE scores");
  console.log(`\n## Quality series over ${options.scores.toLocaleString()} scores in 30 days (filled in ${fmt(fill.ms / 1000)} s)\n`);
  const someAgents = (await pool.query<{ agent_id: string }>("SELECT DISTINCT agent_id FROM scores LIMIT 10")).rows.map((r) => r.agent_id);
  const to = new Date();
  const cases = {
    "whole fleet, 30 days by day": { from: new Date(to.getTime() - 30 * DAY_MS), to, bucket: "day" as const },
    "whole fleet, 30 days by hour": { from: new Date(to.getTime() - 30 * DAY_MS), to, bucket: "hour" as const },
    "whole fleet, last day by hour": { from: new Date(to.getTime() - DAY_MS), to, bucket: "hour" as const },
    "10 agents, 30 days by day": { from: new Date(to.getTime() - 30 * DAY_MS), to, bucket: "day" as const, agentIds: someAgents },
  };
  const results: Record<string, unknown> = {};
  console.log("| query | points | p50 ms | max ms | plan |");
  console.log("|---|---:|---:|---:|---|");
  for (const [label, query] of Object.entries(cases)) {
    await qualitySeries(db, query); // warm the cache
    const times: number[] = [];
    let points = 0;
    for (let i = 0; i < 5; i++) {
      const run = await timeOnce(() => qualitySeries(db, query));
      times.push(run.ms);
      points = run.result.series.length;
    }
    const plan = (await db.$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql`EXPLAIN ${qualitySeriesSql(query)}`)).map((r) => r["QUERY PLAN"]).join("\n");
    const scan = plan.match(/((?:Parallel )?(?:Index Only Scan|Index Scan|Bitmap Heap Scan|Seq Scan))(?: using (\w+))?/);
    const shape = scan ? `${scan[1]}${scan[2] ? ` using ${scan[2]}` : ""}` : "?";
    const p = percentiles(times);
    results[label] = { ...p, points, plan };
    console.log(`| ${label} | ${points} | ${fmt(p.p50)} | ${fmt(p.max)} | ${shape} |`);
  }
  await pool.end();
  await db.$disconnect();
  return results;
}
