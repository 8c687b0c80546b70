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
 * some agents only. One pass over the covering index on (created_at) or (agent_id, created_at):
 * GROUPING SETS yields the buckets and the totals together, and the scan never touches the
 * table (index-only). Measured in docs/architecture.md, "Quality scores".
 */
export async function qualitySeries(db: DbOrTx, query: QualitySeriesQuery): Promise<QualitySeries> {
  const q = ZQualitySeriesQuery.parse(query);
  const bucket = BUCKET_SQL[q.bucket];
  const agents = q.agentIds ? Prisma.sql`AND agent_id = ANY(${q.agentIds}::uuid[])` : Prisma.empty;
  const rows = await db.$queryRaw<Row[]>`
    SELECT (${bucket}) AT TIME ZONE 'UTC' AS bucket, name, source::text AS source, avg(value) AS average, count(*)::int AS count
      FROM scores
     WHERE created_at >= ${q.from} AND created_at < ${q.to} ${agents}
     GROUP BY GROUPING SETS ((${bucket}, name, source), (name, source))
     ORDER BY 1 NULLS FIRST, 3, 2`;
  const series: QualityPoint[] = [];
  const totals: QualityTotal[] = [];
  for (const row of rows) {
    const point = { name: row.name, source: row.source, average: Number(row.average), count: row.count };
    // The (name, source) grouping set has no bucket: those rows are the totals.
    if (row.bucket === null) totals.push(point);
    else series.push({ bucket: row.bucket.toISOString(), ...point });
  }
  return { series, totals };
}
