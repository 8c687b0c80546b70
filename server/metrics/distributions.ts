import { quantile as d3Quantile } from "d3-array";

// Drift statistics and order statistics for the metrics pages. Pure functions: no I/O, no
// database, safe to import from anywhere (server or client). Functions that have nothing to
// compute on (empty samples, no counts) return null rather than a number that would read as
// "no drift" or "zero latency".

/** Result of a two-sample Kolmogorov–Smirnov test. */
export interface KolmogorovSmirnovResult {
  /** D = sup over x of |F_a(x) − F_b(x)|, in [0, 1]. */
  statistic: number;
  /** Asymptotic two-sided p-value for "both samples come from the same distribution". */
  pValue: number;
}

/** p50/p90 and friends of a sample, for tables and tooltips. */
export interface Summary {
  count: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
}

/**
 * Jensen–Shannon divergence between two category mixes (an agent's action mix in the baseline
 * window against the recent one), given as COUNTS per category; each side is normalised to a
 * probability distribution here. A category present on one side only counts as 0 on the other.
 *
 * JSD(P, Q) = ½ KL(P ‖ M) + ½ KL(Q ‖ M) with M = ½ (P + Q), with 0 · log 0 = 0. Base-2 logarithms,
 * so the result lies in [0, 1]: 0 for identical mixes, 1 for mixes with no category in common.
 * Unlike KL it is symmetric and finite when a category is missing on one side, which is the
 * normal case for a changing action mix. (This is the divergence itself, not its square root,
 * the Jensen–Shannon distance that scipy's `jensenshannon` returns.)
 *
 * Returns null when either side has no counts at all: an empty window has no mix to compare.
 * Throws a RangeError on a negative or non-finite count.
 */
export function jensenShannonDivergence(p: Record<string, number>, q: Record<string, number>): number | null {
  const totalP = totalCount(p, "p");
  const totalQ = totalCount(q, "q");
  if (totalP === 0 || totalQ === 0) return null;
  let divergence = 0;
  for (const category of new Set([...Object.keys(p), ...Object.keys(q)])) {
    const pi = (p[category] ?? 0) / totalP;
    const qi = (q[category] ?? 0) / totalQ;
    const mi = (pi + qi) / 2;
    if (pi > 0) divergence += (pi / 2) * Math.log2(pi / mi);
    if (qi > 0) divergence += (qi / 2) * Math.log2(qi / mi);
  }
  // Rounding can leave a hair below 0 for identical mixes or above 1 for disjoint ones.
  return Math.min(1, Math.max(0, divergence));
}

function totalCount(counts: Record<string, number>, side: string): number {
  let total = 0;
  for (const [category, count] of Object.entries(counts)) {
    if (!Number.isFinite(count) || count < 0) {
      throw new RangeError(`jensenShannonDivergence: count of ${JSON.stringify(category)} in ${side} must be a finite number >= 0, got ${count}`);
    }
    total += count;
  }
  return total;
}

/**
 * Two-sample Kolmogorov–Smirnov test (recent confidences, costs or durations against the
 * baseline window's).
 *
 * D is the largest gap between the two empirical CDFs. Tied values (within or across samples)
 * are handled by stepping past every copy of a value in both samples before measuring the gap,
 * so D is evaluated on the CDFs themselves, never between two copies of one value.
 *
 * p-value: the asymptotic Kolmogorov distribution Q(λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2 j² λ²} at
 * λ = (√nₑ + 0.12 + 0.11/√nₑ) · D with nₑ = n·m / (n + m) (Stephens 1970; Numerical Recipes'
 * `kstwo`), which is accurate enough for drift alerts from a few dozen values per side and cheap
 * at any size; the exact distribution is not worth its cost here. It matches
 * `scipy.special.kolmogorov(λ)`; note that scipy's `ks_2samp(..., method="asymp")` uses a
 * different finite-n approximation, so its p-values differ slightly. Conservative with ties
 * (discrete data), as every KS p-value is.
 *
 * Returns null when either sample is empty. Throws a RangeError on a non-finite value.
 */
export function kolmogorovSmirnov(a: readonly number[], b: readonly number[]): KolmogorovSmirnovResult | null {
  assertFinite(a, "kolmogorovSmirnov");
  assertFinite(b, "kolmogorovSmirnov");
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return null;
  const sortedA = Float64Array.from(a).sort();
  const sortedB = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let statistic = 0;
  while (i < n && j < m) {
    const x = Math.min(sortedA[i]!, sortedB[j]!);
    while (i < n && sortedA[i] === x) i++;
    while (j < m && sortedB[j] === x) j++;
    statistic = Math.max(statistic, Math.abs(i / n - j / m));
  }
  // Once one sample is used up its CDF is 1 and the other's only rises towards 1: the gap shrinks.
  const effectiveN = (n * m) / (n + m);
  const rootN = Math.sqrt(effectiveN);
  const lambda = (rootN + 0.12 + 0.11 / rootN) * statistic;
  return { statistic, pValue: kolmogorovSurvival(lambda) };
}

const PI_SQUARED_OVER_8 = (Math.PI * Math.PI) / 8;
const SQRT_TWO_PI = Math.sqrt(2 * Math.PI);

/**
 * Q(λ) = P(K > λ) for the Kolmogorov distribution. Two series, each used where it converges in a
 * handful of terms (Numerical Recipes, 3rd ed., §6.14): for λ < 1.18 the theta-function form
 * 1 − (√(2π)/λ) Σ_{j≥1} e^{−(2j−1)² π² / (8λ²)}, otherwise 2 Σ_{j≥1} (−1)^{j−1} e^{−2 j² λ²};
 * four and three terms respectively give about 1e-12 accuracy.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (lambda < 1.18) {
    const y = Math.exp(-PI_SQUARED_OVER_8 / (lambda * lambda));
    if (y === 0) return 1; // λ ≤ ~0.04, including 0: the CDF underflows to 0
    const cdf = (SQRT_TWO_PI / lambda) * (y + y ** 9 + y ** 25 + y ** 49);
    return Math.min(1, Math.max(0, 1 - cdf));
  }
  const x = Math.exp(-2 * lambda * lambda);
  return Math.max(0, 2 * (x - x ** 4 + x ** 9));
}

/**
 * The q-quantile (q in [0, 1]) with linear interpolation between order statistics: position
 * (n − 1)·q in the sorted sample (Hyndman & Fan type 7, numpy's default `method="linear"`, R's
 * default, Excel's PERCENTILE.INC). Computed by d3-array's `quantile`, which implements exactly
 * this with a quickselect instead of a full sort. Returns null for an empty sample; throws a
 * RangeError on q outside [0, 1] or a non-finite value (d3 would silently skip NaN).
 */
export function quantile(values: readonly number[], q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  assertFinite(values, "quantile");
  if (values.length === 0) return null;
  return d3Quantile(values, q) ?? null;
}

/** Count, mean, min, max, p50 and p90 of a sample (quantiles as `quantile`); null when empty. */
export function summarize(values: readonly number[]): Summary | null {
  assertFinite(values, "summarize");
  if (values.length === 0) return null;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return {
    count: values.length,
    mean: sum / values.length,
    min,
    max,
    p50: d3Quantile(values, 0.5)!,
    p90: d3Quantile(values, 0.9)!,
  };
}

function assertFinite(values: readonly number[], where: string): void {
  for (const value of values) {
    if (!Number.isFinite(value)) throw new RangeError(`${where}: every value must be a finite number, got ${value}`);
  }
}
