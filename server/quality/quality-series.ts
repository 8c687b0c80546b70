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
  day: Prisma.sql`date_trunc('day', created_at AT TIME ZONE 'UTC')`,
} as const;

type Row = { bucket: Date | null; name: string; source: Source; average: number; count: number };

/**
 * Average score and count per time bucket, score name and source (people's thumbs, evaluators'
 * criteria), and the same over the whole range, for scores created in [from, to), optionally of
 * some agents only. One pass over the scores in range, through the covering index on
 * (created_at) or (agent_id, created_at) without touching the table (index-only scans), or a
 * parallel scan when the range holds most of the table. The totals are summed from the buckets,
 * not aggregated again: GROUPING SETS did that in the same pass but hashed every row twice and
 * ruled out a parallel plan, twice as slow. Measured: docs/architecture.md, "Quality scores".
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

/** The one statement behind qualitySeries (exported so the benchmark can EXPLAIN it as it runs). */
export function qualitySeriesSql(query: QualitySeriesQuery): Prisma.Sql {
  const q = ZQualitySeriesQuery.parse(query);
  const bucket = BUCKET_SQL[q.bucket];
  const agents = q.agentIds ? Prisma.sql`AND agent_id = ANY(${q.agentIds}::uuid[])` : Prisma.empty;
  return Prisma.sql`
    WITH buckets AS (
      SELECT ${bucket} AS bucket, name, source, sum(value) AS total, count(*) AS n
        FROM scores
       WHERE created_at >= ${q.from} AND created_at < ${q.to} ${agents}
       GROUP BY 1, 2, 3
    )
    SELECT bucket AT TIME ZONE 'UTC' AS bucket, name, source::text AS source, total / n AS average, n::int AS count FROM buckets
    UNION ALL
    SELECT NULL, name, source::text, sum(total) / sum(n), sum(n)::int FROM buckets GROUP BY name, source
    ORDER BY 1 NULLS FIRST, 3, 2`;
}
