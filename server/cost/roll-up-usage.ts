import type { Db } from "../db/client";
import { Prisma } from "../db/generated/client";
import { transaction } from "../db/transaction";
import { USAGE_INGEST_LOCK } from "./usage-horizon";
import { ADVISORY_LOCKS } from "../db/advisory-locks";

/** Ids folded per transaction, so a backlog is worked off in bounded steps. */
const BATCH_IDS = 50_000;
/** Batches per call: the background loop calls again a few seconds later. */
const MAX_BATCHES = 10;

export type RollupResult = { folded: number; lastId: bigint };

/**
 * The measures of usage_days and how a batch of usage_events `e` computes each: one row per
 * column, so the SELECT list, the INSERT's column list and the additive ON CONFLICT update are
 * generated from this table and cannot fall out of order. Every measure is a sum, so folding a
 * batch into an existing row adds column to column (tests/integration/rollup-columns.test.ts
 * checks this table against usage_days).
 */
export const USAGE_SUMS: readonly { column: string; expression: Prisma.Sql }[] = [
  { column: "events", expression: Prisma.sql`count(*)::int` },
  { column: "unpriced_events", expression: Prisma.sql`(count(*) FILTER (WHERE e.usd IS NULL))::int` },
  { column: "input_tokens", expression: Prisma.sql`sum(e.input_tokens)` },
  { column: "output_tokens", expression: Prisma.sql`sum(e.output_tokens)` },
  { column: "usd", expression: Prisma.sql`coalesce(sum(e.usd), 0)` },
];
const USAGE_SUMS_SELECT = Prisma.join(USAGE_SUMS.map((m) => Prisma.sql`${m.expression} AS ${Prisma.raw(m.column)}`));
const USAGE_SUMS_COLUMNS = Prisma.raw(USAGE_SUMS.map((m) => m.column).join(", "));
const USAGE_SUMS_ADD = Prisma.raw(USAGE_SUMS.map((m) => `${m.column} = usage_days.${m.column} + EXCLUDED.${m.column}`).join(", "));

/**
 * Folds new usage_events (id > metric_rollup_state['usage'].last_id) into usage_days, adding
 * to the day, agent and model rows. Usage events never change, so the rollup only ever adds.
 * Exactly once per event, with any number of instances running it: the fold and its new
 * last_id commit together under a transaction-level advisory lock, and it never passes an id
 * that an in-flight insert could still fill (usage-horizon.ts).
 */
export async function rollUpUsage(db: Db): Promise<RollupResult> {
  const horizon = await committedHorizon(db);
  let folded = 0;
  let lastId = 0n;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const step = await foldBatch(db, horizon);
    folded += step.folded;
    lastId = step.lastId;
    if (horizon === null || lastId >= horizon) break;
  }
  return { folded, lastId };
}

/**
 * The highest usage id below which every insert has committed, or null when inserts did not
 * pause for a quarter of a second (then this pass folds nothing new and the next one tries
 * again). The exclusive lock waits for in-flight inserts and holds new ones back only for the
 * instant it takes to read max(id).
 */
async function committedHorizon(db: Db): Promise<bigint | null> {
  try {
    return await transaction(db, async (tx) => {
      await tx.$executeRaw`SET LOCAL lock_timeout = '250ms'`;
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${USAGE_INGEST_LOCK}::bigint)`;
      const [row] = await tx.$queryRaw<{ max: bigint }[]>`SELECT coalesce(max(id), 0)::bigint AS max FROM usage_events`;
      return row!.max;
    });
  } catch (error) {
    if (/55P03|lock timeout/i.test(String((error as Error).message ?? error)) || JSON.stringify(error).includes("55P03")) return null;
    throw error;
  }
}

async function foldBatch(db: Db, horizon: bigint | null): Promise<RollupResult> {
  return transaction(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.usageRollup}::bigint)`;
    await tx.$executeRaw`INSERT INTO metric_rollup_state (name, watermark, last_id) VALUES ('usage', now(), 0) ON CONFLICT (name) DO NOTHING`;
    // Read after the lock: a second instance sees where the first one got to.
    const [state] = await tx.$queryRaw<{ last_id: bigint }[]>`SELECT last_id FROM metric_rollup_state WHERE name = 'usage'`;
    const from = state!.last_id;
    if (horizon === null || horizon <= from) return { folded: 0, lastId: from };
    const upTo = horizon < from + BigInt(BATCH_IDS) ? horizon : from + BigInt(BATCH_IDS);
    const [{ folded }] = (await tx.$queryRaw<{ folded: number }[]>`
      WITH batch AS (
        SELECT (e.at AT TIME ZONE 'UTC')::date AS day, e.agent_id, e.model, ${USAGE_SUMS_SELECT}
          FROM usage_events e
         WHERE e.id > ${from} AND e.id <= ${upTo}
         GROUP BY 1, 2, 3),
      added AS (
        INSERT INTO usage_days (day, agent_id, model, ${USAGE_SUMS_COLUMNS})
        SELECT day, agent_id, model, ${USAGE_SUMS_COLUMNS} FROM batch
        ON CONFLICT (day, agent_id, model) DO UPDATE SET ${USAGE_SUMS_ADD})
      SELECT coalesce(sum(events), 0)::int AS folded FROM batch`) as [{ folded: number }];
    // The watermark records when the rollup last moved, for the metrics page's "as of".
    await tx.$executeRaw`UPDATE metric_rollup_state SET last_id = ${upTo}, watermark = now() WHERE name = 'usage'`;
    return { folded, lastId: upTo };
  });
}
