// Calibration from the rollup's fine confidence bins (100 bins of 0.01 per agent and day), so a
// month of a whole fleet reads a few thousand rows instead of millions of actions. The sums kept
// per bin make the Brier score and the expected calibration error exact; only the auto-execution
// threshold is rounded down to the bin's edge (0.01).

import type { ReliabilityBin } from "./calibration";

export const FINE_BINS = 100;

export interface FineBin {
  /** floor(confidence × 100), 0..99 (a confidence of 1 is in bin 99) */
  bin: number;
  n: number;
  successes: number;
  sumConf: number;
  sumConfSq: number;
  sumConfSuccess: number;
}

export interface Calibration {
  samples: number;
  brier: number | null;
  ece: number | null;
  reliability: ReliabilityBin[];
  /** lowest confidence (to 0.01) at and above which actions succeeded `target` of the time */
  threshold: number | null;
}

/** Sums fine bins that share a bin number (several days or agents). */
export function mergeFineBins(rows: readonly FineBin[]): FineBin[] {
  const merged = new Map<number, FineBin>();
  for (const r of rows) {
    const m = merged.get(r.bin) ?? { bin: r.bin, n: 0, successes: 0, sumConf: 0, sumConfSq: 0, sumConfSuccess: 0 };
    m.n += r.n;
    m.successes += r.successes;
    m.sumConf += r.sumConf;
    m.sumConfSq += r.sumConfSq;
    m.sumConfSuccess += r.sumConfSuccess;
    merged.set(r.bin, m);
  }
  return [...merged.values()].sort((a, b) => a.bin - b.bin);
}

/**
 * Brier score, reliability diagram (`bins` equal bins), ECE and the auto-execution threshold
 * from fine bins. Brier = (Σc² − 2Σc·y + Σy) / n, the expansion of Σ(c − y)² / n.
 */
export function calibrationFromBins(rows: readonly FineBin[], options: { bins?: number; target?: number; minSamples?: number } = {}): Calibration {
  const bins = options.bins ?? 10;
  const target = options.target ?? 0.95;
  const minSamples = options.minSamples ?? 20;
  if (FINE_BINS % bins !== 0) throw new RangeError(`calibrationFromBins: ${bins} bins do not divide ${FINE_BINS}`);
  const fine = mergeFineBins(rows);
  const samples = fine.reduce((a, r) => a + r.n, 0);
  const coarse = Array.from({ length: bins }, (_, i) => ({ count: 0, conf: 0, successes: 0, low: i / bins, high: (i + 1) / bins }));
  let squared = 0;
  for (const r of fine) {
    const c = coarse[Math.floor(r.bin / (FINE_BINS / bins))]!;
    c.count += r.n;
    c.conf += r.sumConf;
    c.successes += r.successes;
    squared += r.sumConfSq - 2 * r.sumConfSuccess + r.successes;
  }
  const reliability: ReliabilityBin[] = coarse.map((c) => ({
    low: c.low,
    high: c.high,
    count: c.count,
    meanConfidence: c.count ? c.conf / c.count : null,
    successRate: c.count ? c.successes / c.count : null,
  }));
  const ece = samples ? coarse.reduce((e, c) => (c.count ? e + (c.count / samples) * Math.abs(c.successes / c.count - c.conf / c.count) : e), 0) : null;
  let threshold: number | null = null;
  let count = 0;
  let successes = 0;
  for (const r of [...fine].reverse()) {
    count += r.n;
    successes += r.successes;
    if (count >= minSamples && successes / count >= target) threshold = r.bin / FINE_BINS;
  }
  return { samples, brier: samples ? Math.max(0, squared / samples) : null, ece, reliability, threshold };
}
