import { Prisma } from "../db/generated/client";
import { bucketFor, type Bucket } from "./overview";

/**
 * Where a range's numbers come from: metric_hours up to two days (hourly buckets), metric_days
 * beyond (daily buckets, whose first day starts at the UTC midnight on or before `from`, as the
 * chart's first bucket does).
 */
export function rollupRange(from: Date, to: Date): { bucket: Bucket; table: Prisma.Sql; start: Prisma.Sql; where: Prisma.Sql } {
  const bucket = bucketFor(from, to);
  if (bucket === "hour") {
    return {
      bucket,
      table: Prisma.raw("metric_hours"),
      start: Prisma.raw("hour"),
      where: Prisma.sql`hour >= date_trunc('hour', ${from}::timestamptz, 'UTC') AND hour < ${to}`,
    };
  }
  return {
    bucket,
    table: Prisma.raw("metric_days"),
    start: Prisma.raw("(day::timestamp AT TIME ZONE 'UTC')"),
    where: Prisma.sql`day >= (${from}::timestamptz AT TIME ZONE 'UTC')::date AND (day::timestamp AT TIME ZONE 'UTC') < ${to}`,
  };
}
