// Approval latency kept as a histogram, so the hourly rollup can hold it and any range can
// merge it: p50 and p90 over a month are read from summed bucket counts, not from raw rows.

/** Upper bounds (exclusive, ms) of the buckets; the last bucket holds everything slower. */
export const LATENCY_BOUNDS_MS = [
  1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 43_200_000, 86_400_000,
] as const;
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

/** Adds histograms bucket by bucket (a missing or short one counts as zeros). */
export function mergeHistograms(histograms: readonly (readonly number[] | null | undefined)[]): number[] {
  const total = new Array<number>(LATENCY_BUCKETS).fill(0);
  for (const h of histograms) h?.forEach((count, i) => (total[i] = (total[i] ?? 0) + count));
  return total;
}

/**
 * The q-quantile of a latency histogram, interpolating linearly inside the bucket it falls in
 * (the usual estimate, as Prometheus' histogram_quantile does); the open-ended last bucket
 * answers its lower bound. Null for an empty histogram.
 */
export function histogramQuantile(counts: readonly number[], q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`histogramQuantile: q must be in [0, 1], got ${q}`);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (count > 0 && seen + count >= rank) {
      const low = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      const high = LATENCY_BOUNDS_MS[i];
      if (high === undefined) return low;
      return low + ((high - low) * Math.max(0, rank - seen)) / count;
    }
    seen += count;
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]!;
}
