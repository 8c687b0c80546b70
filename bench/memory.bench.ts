import pg from "pg";
import { benchDatabase, fmt, measure, percentiles, timeOnce } from "./support";

const QUERIES = [
  "traefik restart",
  "restart traefik",
  "trafik",
  "postgres vacuum",
  "deploy api production",
  "rotate certificate",
  "kafka consumer lag",
  "redis memory",
  "nginx config reload",
  "dns propagation",
];

/**
 * Inserts `entries` generated lessons of realistic text (actions, services, environments,
 * failure reasons), each filed under its topic as recordMemory files it (describe-subject.ts:
 * the verb is the operation, staging/production/dev the environment, the rest the names).
 */
export async function fillMemories(pool: pg.Pool, entries: number) {
  return pool.query(
    `WITH words AS (
       SELECT ARRAY['restart','deploy','rollback','scale','rotate','migrate','patch','scan','publish','reload','vacuum','flush'] AS verbs,
              ARRAY['traefik','postgres','redis','nginx','api','web','worker','cache','queue','certificate','dns','kafka','elastic','grafana','vault'] AS things,
              ARRAY['staging','production','dev','eu-west','us-east'] AS places,
              ARRAY['config had invalid YAML','the health check timed out','a migration locked the table','the disk was full','the certificate had expired',
                    'the consumer group lagged behind','memory limit exceeded','a dependency was missing','DNS did not propagate in time','permissions were denied'] AS reasons
     )
     INSERT INTO memories (id, kind, subject, subject_key, body, tags, author_label, occurrences, updated_at, created_at, last_learned_at,
                           operation, environment, names, topic_key)
     SELECT gen_random_uuid(), (ARRAY['negative_knowledge','decision','pattern'])[1 + g % 3]::"MemoryKind",
            v || ' ' || t || ' on ' || p,
            (SELECT string_agg(w, ' ' ORDER BY w) FROM unnest(ARRAY[v, t, p]) w),
            initcap(v) || ' ' || t || ' on ' || p || ' failed because ' || r || '. Fix: check ' || t || ' before you ' || v || ' (case ' || g || ').',
            ARRAY[t], 'agent-' || (g % 50), 1, now(), now() - (g % 90 || ' days')::interval, now() - (g % 90 || ' days')::interval,
            v, env, nm, v || '|' || coalesce(env, '-') || '|' || array_to_string(nm, ' ')
       FROM words, generate_series(1, $1::int) g,
            LATERAL (SELECT verbs[1 + (g * 7) % 12] AS v, things[1 + (g * 13) % 15] AS t, places[1 + (g * 3) % 5] AS p, reasons[1 + (g * 11) % 10] AS r) x,
            LATERAL (SELECT CASE WHEN x.p IN ('staging', 'production', 'dev') THEN x.p END AS env) e,
            LATERAL (SELECT array_agg(w ORDER BY w) AS nm FROM unnest(string_to_array(x.t || CASE WHEN e.env IS NULL THEN ' ' || replace(x.p, '-', ' ') ELSE '' END, ' ')) w) n`,
    [entries],
  );
}

/**
 * Recall over a million generated entries of realistic text (actions, services, environments,
 * failure reasons), against an ILIKE scan for the same words in the same run; then the write
 * throughput of recordMemory.
 */
export async function memoryBenchmark(options: { entries: number }) {
  const url = await benchDatabase("warden_bench_memory");
  process.env.DATABASE_URL = url;
  const { db } = await import("../server/db/client");
  const { recallMemories } = await import("../server/memory/recall");
  const { recordMemory } = await import("../server/memory/record-memory");
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const fill = await timeOnce(() => fillMemories(pool, options.entries));
  await pool.query("ANALYZE memories");
  console.log(`\n## Memory recall over ${options.entries.toLocaleString()} entries (filled in ${fmt(fill.ms / 1000)} s)\n`);
  const results: Record<string, unknown> = {};
  for (const q of QUERIES) await recallMemories(db, { q, agentId: null, limit: 10 }); // warm
  const recall: number[] = [];
  const scan: number[] = [];
  for (let round = 0; round < 10; round++) {
    for (const q of QUERIES) {
      recall.push((await timeOnce(() => recallMemories(db, { q, agentId: null, limit: 10 }))).ms);
      const words = q.split(" ");
      scan.push(
        (
          await timeOnce(() =>
            pool.query(
              `SELECT id FROM memories WHERE retired_at IS NULL AND ${words.map((_, i) => `(subject ILIKE $${i + 1} OR body ILIKE $${i + 1})`).join(" AND ")} LIMIT 10`,
              words.map((w) => `%${w}%`),
            ),
          )
        ).ms,
      );
    }
  }
  const r = percentiles(recall);
  const s = percentiles(scan);
  const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)]!;
  results.recall = { ...r, p95: p95(recall) };
  results.ilike = { ...s, p95: p95(scan) };
  console.log("| | p50 ms | p95 ms | max ms |");
  console.log("|---|---:|---:|---:|");
  console.log(`| recall (full text + trigram, ranked) | ${fmt(r.p50, 2)} | ${fmt(p95(recall), 2)} | ${fmt(r.max, 2)} |`);
  console.log(`| ILIKE scan (unranked, first 10) | ${fmt(s.p50, 2)} | ${fmt(p95(scan), 2)} | ${fmt(s.max, 2)} |`);

  const actor = { type: "system" as const, id: null, label: "bench" };
  const writes = await measure(2000, 10, (i) =>
    recordMemory(db, actor, { kind: "pattern", subject: `bench pattern ${i}`, body: `learned thing number ${i}` }).then(() => undefined),
  );
  results.writes = writes;
  console.log(`\nwrites: ${fmt(writes.perSecond, 0)} recordMemory/s at 10 concurrent (p99 ${fmt(writes.p99, 2)} ms)`);
  await pool.end();
  await db.$disconnect();
  return results;
}
