// Calibration of the agents' confidence: does 0.95 mean 95% success? Pure functions, no I/O.
// A sample is one executed action: the confidence the agent claimed and whether it succeeded.

/** One executed action: the confidence the agent claimed (0..1) and whether it succeeded. */
export interface CalibrationSample {
  confidence: number;
  success: boolean;
}

/** One bar of a reliability diagram. */
export interface ReliabilityBin {
  /** lower edge, inclusive */
  low: number;
  /** upper edge, exclusive except for the last bin, which includes 1 */
  high: number;
  count: number;
  /** mean claimed confidence of the samples in the bin; null when the bin is empty */
  meanConfidence: number | null;
  /** share of the samples in the bin that succeeded; null when the bin is empty */
  successRate: number | null;
}

/**
 * Brier score: mean of (confidence − outcome)², outcome 1 for success and 0 for failure. 0 is
 * perfect, 0.25 is what a constant 0.5 earns, 1 is confidently wrong every time. A proper
 * scoring rule, so it rewards both calibration and sharpness. Null for no samples.
 */
export function brierScore(samples: readonly CalibrationSample[]): number | null {
  assertSamples(samples, "brierScore");
  if (samples.length === 0) return null;
  let sum = 0;
  for (const { confidence, success } of samples) sum += (confidence - (success ? 1 : 0)) ** 2;
  return sum / samples.length;
}

/**
 * Reliability diagram data: `bins` equal-width bins over [0, 1], bin i covering
 * [i/bins, (i+1)/bins) and the last one [1 − 1/bins, 1] so that a confidence of exactly 1 has a
 * home. A confidence on an inner edge goes to the bin that starts there (0.3 → [0.3, 0.4)); the
 * edges are compared as the same i/bins values the bins report, so floating-point products like
 * 0.29 · 100 = 28.999… do not move a sample into the bin below its edge. Every bin is returned,
 * empty ones too, so the diagram keeps a fixed x-axis.
 */
export function reliabilityBins(samples: readonly CalibrationSample[], bins = 10): ReliabilityBin[] {
  assertSamples(samples, "reliabilityBins");
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`reliabilityBins: bins must be a whole number >= 1, got ${bins}`);
  const counts = new Array<number>(bins).fill(0);
  const confidenceSums = new Array<number>(bins).fill(0);
  const successes = new Array<number>(bins).fill(0);
  for (const { confidence, success } of samples) {
    const index = binIndex(confidence, bins);
    counts[index]! += 1;
    confidenceSums[index]! += confidence;
    if (success) successes[index]! += 1;
  }
  return counts.map((count, index) => ({
    low: index / bins,
    high: (index + 1) / bins,
    count,
    meanConfidence: count === 0 ? null : confidenceSums[index]! / count,
    successRate: count === 0 ? null : successes[index]! / count,
  }));
}

function binIndex(confidence: number, bins: number): number {
  let index = Math.min(bins - 1, Math.floor(confidence * bins));
  if (index < bins - 1 && confidence >= (index + 1) / bins) index += 1;
  else if (index > 0 && confidence < index / bins) index -= 1;
  return index;
}

/**
 * Expected calibration error: Σ over bins of (bin count / total) · |success rate − mean
 * confidence|, with the bins of `reliabilityBins` (equal width, 10 by default, the usual
 * choice of Guo et al. 2017). 0 is perfectly calibrated; 0.1 means the agent's confidence is off
 * by ten points on an average action. Null for no samples.
 */
export function expectedCalibrationError(samples: readonly CalibrationSample[], bins = 10): number | null {
  const binned = reliabilityBins(samples, bins);
  if (samples.length === 0) return null;
  let error = 0;
  for (const bin of binned) {
    if (bin.count === 0) continue;
    error += (bin.count / samples.length) * Math.abs(bin.successRate! - bin.meanConfidence!);
  }
  return error;
}

/**
 * The auto-execution threshold the data supports: the lowest confidence t such that the actions
 * with confidence ≥ t number at least `minSamples` and succeeded at least `target` of the time;
 * null when no t qualifies. Candidates are the confidences seen (any t between two seen values
 * selects the same actions as the next seen value up). Every candidate is checked, from the top
 * down, because the success rate above t need not fall monotonically as t falls; the lowest
 * qualifying one wins. Compared as successes / count ≥ target, so 19 of 20 meets 0.95.
 */
export function autoExecutionThreshold(samples: readonly CalibrationSample[], target = 0.95, minSamples = 20): number | null {
  assertSamples(samples, "autoExecutionThreshold");
  if (!(target > 0 && target <= 1)) throw new RangeError(`autoExecutionThreshold: target must be in (0, 1], got ${target}`);
  if (!Number.isInteger(minSamples) || minSamples < 1) {
    throw new RangeError(`autoExecutionThreshold: minSamples must be a whole number >= 1, got ${minSamples}`);
  }
  const sorted = [...samples].sort((x, y) => y.confidence - x.confidence);
  let threshold: number | null = null;
  let count = 0;
  let successes = 0;
  let i = 0;
  while (i < sorted.length) {
    const t = sorted[i]!.confidence;
    while (i < sorted.length && sorted[i]!.confidence === t) {
      count += 1;
      if (sorted[i]!.success) successes += 1;
      i += 1;
    }
    if (count >= minSamples && successes / count >= target) threshold = t;
  }
  return threshold;
}

function assertSamples(samples: readonly CalibrationSample[], where: string): void {
  for (const { confidence } of samples) {
    if (!(confidence >= 0 && confidence <= 1)) throw new RangeError(`${where}: confidence must be in [0, 1], got ${confidence}`);
  }
}
