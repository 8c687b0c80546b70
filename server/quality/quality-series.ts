import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { ZQualitySeriesQuery, type QualitySeriesQuery } from "../schemas/quality";

type Source = "human" | "evaluator";
export type QualityPoint = { bucket: string; name: string; source: Source; average: number; count: number };
export type QualityTotal = { name: string; source: Source; average: number; count: number };
export type QualitySeries = { series: QualityPoint[]; totals: QualityTotal[] };

// The bucket expressions, written out (not a bind parameter) because they must match the
// statistics objects of the quality_scores migration for the planner to see how few buckets
// there are. Buckets are UTC hours and UTC days.
const BUCKET_SQL = {
  hour: Prisma.sql`date_trunc('hour', created_at AT TIME ZONE 'UTC')`,
} as const;

type Row = { bucket: Date | null; name: string; source: Source; average: number; count: number };

/**
 * Average score and count per time bucket, score name and source (people's thumbs, evaluators'
 * criteria), and the same over the whole range, optionally of some agents only. Hourly buckets
 * read the scores through the covering index on (created_at) or (agent_id, created_at); daily
 * ones the quality_days rollup a trigger keeps exact. The totals are summed from the buckets,
 * not aggregated again. Measured: docs/benchmarks.md, "Quality series".
 */
export async function qualitySeries(db: DbOrTx, query: QualitySeriesQuery): Promise<QualitySeries> {
  const rows = await db.$queryRaw<Row[]>(qualitySeriesSql(query));
  const series: QualityPoint[] = [];
  const totals: QualityTotal[] = [];
  for (const row of rows) {
    const point = { name: row.name, source: row.source, average: Number(row.average), count: row.count };
    // The rows summed over the whole range have no bucket: those are the totals.
    if (row.bucket === null) totals.push(point);
    else series.push({ bucket: row.bucket.toISOString(), ...point });
  }
  return { series, totals };
}

/**
 * The one statement behind qualitySeries (exported so the benchmark can EXPLAIN it as it runs).
 * Daily buckets read the quality_days rollup (whole UTC days: the first bucket starts at the
 * midnight on or before `from`, as the charts' do); hourly ones read the scores in range.
 */
export function qualitySeriesSql(query: QualitySeriesQuery): Prisma.Sql {
  const q = ZQualitySeriesQuery.parse(query);
  const agents = q.agentIds ? Prisma.sql`AND agent_id = ANY(${q.agentIds}::uuid[])` : Prisma.empty;
  const buckets =
    q.bucket === "day"
      ? Prisma.sql`
      SELECT day::timestamp AS bucket, name, source, sum(total) AS total, sum(n) AS n
        FROM quality_days
       WHERE day >= (${q.from}::timestamptz AT TIME ZONE 'UTC')::date AND (day::timestamp AT TIME ZONE 'UTC') < ${q.to} ${agents}
       GROUP BY 1, 2, 3 HAVING sum(n) > 0`
      : Prisma.sql`
      SELECT ${BUCKET_SQL.hour} AS bucket, name, source, sum(value) AS total, count(*) AS n
        FROM scores
       WHERE created_at >= ${q.from} AND created_at < ${q.to} ${agents}
       GROUP BY 1, 2, 3`;
  return Prisma.sql`
    WITH buckets AS (${buckets})
    SELECT bucket AT TIME ZONE 'UTC' AS bucket, name, source::text AS source, total / n AS average, n::int AS count FROM buckets
    UNION ALL
    SELECT NULL, name, source::text, sum(total) / sum(n), sum(n)::int FROM buckets GROUP BY name, source
    ORDER BY 1 NULLS FIRST, 3, 2`;
}
