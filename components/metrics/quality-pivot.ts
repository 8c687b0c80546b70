export type QualityPoint = { bucket: string; name: string; source: "human" | "evaluator"; average: number; count: number };

/** Quality series pivoted to one row per bucket (every bucket of the range) and one column per score. */
export function pivotQuality(points: readonly QualityPoint[], buckets: readonly string[]) {
  const keys = [...new Set(points.map((p) => `${p.source === "human" ? "people" : p.name}`))].sort();
  const byBucket = new Map(buckets.map((b) => [b, { bucket: b } as Record<string, string | number | null>]));
  for (const p of points) {
    const row = byBucket.get(p.bucket);
    if (row) row[p.source === "human" ? "people" : p.name] = Math.round(p.average * 1000) / 1000;
  }
  return { keys, rows: [...byBucket.values()].map((row) => Object.fromEntries([["bucket", row.bucket], ...keys.map((k) => [k, row[k] ?? null])])) as Record<string, string | number | null>[] };
}

