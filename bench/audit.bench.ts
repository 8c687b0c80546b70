import { performance } from "node:perf_hooks";
import pg from "pg";
import { benchDatabase, fmt, measure, timeOnce } from "./support";

/**
 * Audit-log appends with the hash chain against plain INSERTs of rows of the same shape into a
 * table without the chain's column, index and triggers, both as raw SQL from the same pool,
 * measured in the same run. The chained figure counts until every row is sealed, with the
 * sealer running beside the writers as it does in the server. Then the console's queries and
 * `audit verify` over a million rows.
 */
export async function auditBenchmark(options: { rows: number; appends: number }) {
  const url = await benchDatabase("warden_bench_audit");
  const pool = new pg.Pool({ connectionString: url, max: 50 });
  await pool.query(`CREATE TABLE audit_plain (LIKE audit_log INCLUDING DEFAULTS INCLUDING INDEXES)`);
  await pool.query(`ALTER TABLE audit_plain DROP COLUMN txid`);
  await pool.query(`CREATE SEQUENCE audit_plain_id; ALTER TABLE audit_plain ALTER COLUMN id SET DEFAULT nextval('audit_plain_id')`);
  const sealAll = async () => {
    while ((await pool.query("SELECT audit_seal(5000) AS n")).rows[0].n > 0);
  };
  /** Appends with the sealer working beside them; done when the last row is in the chain. */
  const chainedRun = async (count: number, clients: number) => {
    let writing = true;
    const sealer = (async () => {
      while (writing) {
        await sealAll();
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const t0 = performance.now();
    const timing = await measure(count, clients, insert("audit_log"));
    writing = false;
    await sealer;
    await sealAll();
    const seconds = (performance.now() - t0) / 1000;
    const unsealed = Number(
      (await pool.query("SELECT count(*) FROM audit_log a WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id)")).rows[0].count,
    );
    if (unsealed > 0) throw new Error(`${unsealed} rows left unsealed`);
    return { ...timing, perSecond: count / seconds, seconds };
  };
  const insert = (table: string) => (i: number) =>
    pool
      .query(
        `INSERT INTO ${table} (actor_type, actor_id, actor_label, verb, subject_type, subject_id, data, ip)
         VALUES ('agent', $1, 'ops-1', 'action.decide', 'action', $2, $3, '10.0.0.1')`,
        [`agent-${i % 50}`, `act-${i}`, JSON.stringify({ decision: "auto_execute", confidence: 0.97, i })],
      )
      .then(() => undefined);

  const results: Record<string, unknown> = {};
  console.log(`\n## Audit log appends (${options.appends.toLocaleString()} rows each)\n`);
  console.log("| clients | plain INSERT/s | chained append/s | chain cost | chained p50 ms | chained p99 ms |");
  console.log("|---:|---:|---:|---:|---:|---:|");
  for (const clients of [1, 8, 50]) {
    // warm-up, then alternate so neither side gets a cooler machine
    await measure(200, clients, insert("audit_plain"));
    await chainedRun(200, clients);
    const plain = await measure(options.appends, clients, insert("audit_plain"));
    const chained = await chainedRun(options.appends, clients);
    const cost = 1 - chained.perSecond / plain.perSecond;
    results[`clients_${clients}`] = { plainPerSecond: plain.perSecond, chainedPerSecond: chained.perSecond, cost };
    console.log(
      `| ${clients} | ${fmt(plain.perSecond, 0)} | ${fmt(chained.perSecond, 0)} | ${fmt(cost * 100)}% | ${fmt(chained.p50, 2)} | ${fmt(chained.p99, 2)} |`,
    );
  }

  // A million rows for the console's queries: one INSERT … SELECT (the trigger chains each row).
  const existing = Number((await pool.query("SELECT count(*) FROM audit_log")).rows[0].count);
  const toAdd = Math.max(0, options.rows - existing);
  const fill = await timeOnce(async () => {
    await pool.query(
      `INSERT INTO audit_log (actor_type, actor_id, actor_label, verb, subject_type, subject_id, data)
       SELECT 'agent', 'agent-' || (g % 200), 'agent-' || (g % 200),
              (ARRAY['action.decide','action.result','task.claim','memory.record','user.login'])[1 + g % 5],
              'action', 'act-' || g, jsonb_build_object('g', g)
         FROM generate_series(1, $1::int) g`,
      [toAdd],
    );
    await sealAll();
  });
  await pool.query("ANALYZE audit_log");
  console.log(`\nfilled and sealed the audit log to ${options.rows.toLocaleString()} rows in ${fmt(fill.ms / 1000)} s`);

  process.env.DATABASE_URL = url;
  const { db } = await import("../server/db/client");
  const { listAudit } = await import("../server/audit/list-audit");
  const { verifyAuditChain } = await import("../server/audit/verify-chain");
  const midCursor = String(Math.floor(options.rows / 2));
  const queries: [string, () => Promise<unknown>][] = [
    ["first page", () => listAudit(db, { limit: 50 })],
    ["page at row 500,000 (cursor)", () => listAudit(db, { limit: 50, cursor: midCursor })],
    ["filter actor", () => listAudit(db, { limit: 50, actor: "agent-17" })],
    ["filter verb prefix", () => listAudit(db, { limit: 50, verb: "task.*" })],
    ["filter subject", () => listAudit(db, { limit: 50, subject: "act-123456" })],
    ["filter time range", () => listAudit(db, { limit: 50, from: new Date(Date.now() - 3600_000) })],
  ];
  console.log(`\n| audit page query (${options.rows.toLocaleString()} rows) | median ms | max ms |`);
  console.log("|---|---:|---:|");
  for (const [label, run] of queries) {
    const times: number[] = [];
    for (let i = 0; i < 11; i++) times.push((await timeOnce(run)).ms);
    times.sort((a, b) => a - b);
    results[`query_${label}`] = times[5];
    console.log(`| ${label} | ${fmt(times[5]!, 2)} | ${fmt(times[10]!, 2)} |`);
  }
  const verify = await timeOnce(() => verifyAuditChain(db));
  results.verifyMs = verify.ms;
  console.log(
    `\naudit verify over ${verify.result.rowsChecked.toLocaleString()} rows: ${fmt(verify.ms / 1000, 2)} s (${verify.result.ok ? "intact" : "BROKEN"})`,
  );
  await db.$disconnect();
  await pool.end();
  return results;
}
