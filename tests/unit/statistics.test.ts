import { describe, expect, it } from "vitest";
import {
  INTERVENTION_FLAG_RATE,
  RUBBER_STAMP_MS,
  autoExecutionThreshold,
  brierScore,
  expectedCalibrationError,
  interventionRate,
  isRubberStamp,
  jensenShannonDivergence,
  kolmogorovSmirnov,
  kolmogorovSurvival,
  normalQuantile,
  proportionDifference,
  quantile,
  reliabilityBins,
  summarize,
  twoSidedZ,
  wilsonInterval,
  type CalibrationSample,
} from "../../server/metrics/statistics";

// Every expected value below is worked out by hand in the comment next to it; where a value has
// too many digits to carry by hand, the comment also names an independent reference
// (scipy.special.kolmogorov, scipy.stats.norm.ppf, Newcombe's published table).

describe("jensenShannonDivergence (base 2, counts normalised inside)", () => {
  it("is exactly 1 for mixes with no category in common", () => {
    // P = (1, 0), Q = (0, 1), M = (½, ½): ½·1·log2(1/½) + ½·1·log2(1/½) = ½ + ½ = 1
    expect(jensenShannonDivergence({ a: 1, b: 0 }, { a: 0, b: 1 })).toBe(1);
    // missing categories count as 0, and the counts' scale does not matter: same as above
    expect(jensenShannonDivergence({ a: 3 }, { b: 5 })).toBe(1);
  });

  it("is 0 for the same mix at any scale", () => {
    // {a:2, b:6} and {a:1, b:3} both normalise to (¼, ¾): every log2(p/m) = log2 1 = 0
    expect(jensenShannonDivergence({ a: 2, b: 6 }, { a: 1, b: 3 })).toBe(0);
    expect(jensenShannonDivergence({ a: 7 }, { a: 1, b: 0 })).toBe(0);
  });

  it("matches a hand computation with a one-sided category", () => {
    // P = (1, 0), Q = (½, ½), M = (¾, ¼)
    // KL(P‖M) = 1·log2(1/0.75) = log2(4/3) = 0.4150375
    // KL(Q‖M) = ½·log2(0.5/0.75) + ½·log2(0.5/0.25) = ½·(−0.5849625) + ½·1 = 0.2075187
    // JSD = ½·(0.4150375 + 0.2075187) = 0.3112781
    expect(jensenShannonDivergence({ a: 1 }, { a: 1, b: 1 })).toBeCloseTo(0.3112781, 7);
  });

  it("matches a hand computation over three categories, and is symmetric", () => {
    // P = {x:2, y:6, z:0}/8 = (¼, ¾, 0); Q = {x:1, y:1, z:2}/4 = (¼, ¼, ½); M = (¼, ½, ¼)
    // KL(P‖M) = ¼·log2 1 + ¾·log2(0.75/0.5) = ¾·0.5849625 = 0.4387219
    // KL(Q‖M) = ¼·log2 1 + ¼·log2(0.25/0.5) + ½·log2(0.5/0.25) = −0.25 + 0.5 = 0.25
    // JSD = ½·(0.4387219 + 0.25) = 0.3443609   (scipy jensenshannon(base=2)² = 0.34436094)
    const p = { x: 2, y: 6, z: 0 };
    const q = { x: 1, y: 1, z: 2 };
    expect(jensenShannonDivergence(p, q)).toBeCloseTo(0.3443609, 7);
    expect(jensenShannonDivergence(q, p)).toBeCloseTo(0.3443609, 7);
  });

  it("returns null when either side has no counts, and rejects negative counts", () => {
    expect(jensenShannonDivergence({}, {})).toBeNull();
    expect(jensenShannonDivergence({}, { a: 1 })).toBeNull();
    expect(jensenShannonDivergence({ a: 1 }, { a: 0, b: 0 })).toBeNull();
    expect(() => jensenShannonDivergence({ a: -1, b: 2 }, { a: 1 })).toThrow(RangeError);
    expect(() => jensenShannonDivergence({ a: Number.NaN }, { a: 1 })).toThrow(RangeError);
  });
});

describe("kolmogorovSmirnov (two-sample, Stephens-corrected asymptotic p-value)", () => {
  it("gives D = 1 and a small p-value for disjoint samples", () => {
    // every a is below every b: F_a reaches 1 at x = 5 while F_b is still 0, so D = 1
    // nₑ = 5·5/(5+5) = 2.5; √nₑ = 1.5811388; λ = (1.5811388 + 0.12 + 0.11/1.5811388)·1
    //   = 1.5811388 + 0.12 + 0.0695701 = 1.7707089 (≥ 1.18: the alternating series)
    // x = e^(−2λ²) = e^(−6.2708203) = 0.0018907; Q = 2·(x − x⁴ + x⁹) = 0.0037814
    // reference: scipy.special.kolmogorov(1.7707089) = 0.00378135
    const result = kolmogorovSmirnov([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(result?.statistic).toBe(1);
    expect(result?.pValue).toBeCloseTo(0.0037814, 7);
  });

  it("measures D on the CDFs when values tie within and across samples", () => {
    // a = [1, 1, 2], b = [1, 2, 2]
    // x = 1: F_a = 2/3, F_b = 1/3 → 1/3;  x = 2: F_a = 1, F_b = 1 → 0;  so D = 1/3
    // (stepping one element at a time would see F_a = 2/3 against F_b = 0 inside the tie: 2/3)
    // nₑ = 9/6 = 1.5; √nₑ = 1.2247449; λ = (1.2247449 + 0.12 + 0.0898146)/3 = 0.4781865 (< 1.18)
    // y = e^(−π²/(8λ²)) = e^(−5.3952943) = 0.0045379; √(2π)/λ = 5.2419470
    // Q = 1 − 5.2419470·(y + y⁹ + …) = 1 − 0.0237874 = 0.9762126
    // reference: scipy.special.kolmogorov(0.4781865) = 0.97621265
    const result = kolmogorovSmirnov([1, 2, 1], [2, 1, 2]);
    expect(result?.statistic).toBeCloseTo(1 / 3, 12);
    expect(result?.pValue).toBeCloseTo(0.9762126, 6);
  });

  it("matches a hand computation for overlapping samples", () => {
    // a = 1..6, b = 4..9; x = 3: F_a = 3/6, F_b = 0 → 0.5 (also 4/6 − 1/6 at x = 4, 5); D = 0.5
    // nₑ = 36/12 = 3; √3 = 1.7320508; λ = (1.7320508 + 0.12 + 0.0635085)·0.5 = 0.9577797
    // π²/(8λ²) = 9.8696044/(8·0.9173420) = 1.3448645; y = e^(−1.3448645) = 0.2605750
    // √(2π)/λ = 2.5066283/0.9577797 = 2.6171241; y⁹ = 5.53e−6
    // Q = 1 − 2.6171241·(0.2605750 + 0.0000055) = 1 − 0.6819716 = 0.3180284
    // reference: scipy.special.kolmogorov(0.9577797) = 0.31802835
    const result = kolmogorovSmirnov([1, 2, 3, 4, 5, 6], [9, 8, 7, 6, 5, 4]);
    expect(result?.statistic).toBe(0.5);
    expect(result?.pValue).toBeCloseTo(0.3180284, 6);
  });

  it("handles samples of different sizes", () => {
    // a = 0.1..0.8 step 0.1 (n = 8), b = 0.35..0.95 step 0.1 (m = 7)
    // x = 0.3: F_a = 3/8 = 0.375, F_b = 0; later gaps 4/8−1/7 = 0.357, 5/8−2/7 = 0.339, … so D = 0.375
    // nₑ = 56/15 = 3.7333333; √nₑ = 1.9321836; λ = (1.9321836 + 0.12 + 0.0569304)·0.375 = 0.7909177
    // y = e^(−π²/(8λ²)) = e^(−1.9721826) = 0.1391528; √(2π)/λ = 3.1692655
    // Q = 1 − 3.1692655·0.1391528 (y⁹ ≈ 2e−8) = 1 − 0.4410123 = 0.5589877
    // reference: scipy.special.kolmogorov(0.7909177) = 0.55898775
    const a = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
    const b = [0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95];
    const ab = kolmogorovSmirnov(a, b);
    expect(ab?.statistic).toBeCloseTo(0.375, 12);
    expect(ab?.pValue).toBeCloseTo(0.5589877, 6);
    // symmetric in its arguments
    expect(kolmogorovSmirnov(b, a)).toEqual(ab);
  });

  it("gives D = 0 and p = 1 for all-identical values and for the same sample", () => {
    // one value everywhere: both CDFs jump from 0 to 1 at 5
    expect(kolmogorovSmirnov([5, 5, 5], [5, 5])).toEqual({ statistic: 0, pValue: 1 });
    expect(kolmogorovSmirnov([3, 1, 2], [1, 2, 3])).toEqual({ statistic: 0, pValue: 1 });
  });

  it("returns null for an empty sample and rejects non-finite values", () => {
    expect(kolmogorovSmirnov([], [1, 2])).toBeNull();
    expect(kolmogorovSmirnov([1], [])).toBeNull();
    expect(() => kolmogorovSmirnov([1, Number.NaN], [1])).toThrow(RangeError);
  });

  it("kolmogorovSurvival matches the classical table on both branches", () => {
    // Q(0) = 1 by definition
    expect(kolmogorovSurvival(0)).toBe(1);
    // K(1.0) = 0.7300003 in the tables, so Q(1.0) = 0.2699997 (λ < 1.18 branch)
    expect(kolmogorovSurvival(1)).toBeCloseTo(0.2699997, 7);
    // the classical 5% critical value is λ = 1.3581 (λ ≥ 1.18 branch): x = e^(−2·1.3581²)
    // = e^(−3.6888712) = 0.0250002; Q = 2·(x − x⁴ + x⁹) = 2·(0.0250002 − 0.0000004) = 0.0499996
    expect(kolmogorovSurvival(1.3581)).toBeCloseTo(0.05, 5);
    // the two series agree where they meet: scipy.special.kolmogorov(1.18) = 0.12345381
    expect(kolmogorovSurvival(1.18 - 1e-12)).toBeCloseTo(0.1234538, 7);
    expect(kolmogorovSurvival(1.18)).toBeCloseTo(0.1234538, 7);
  });
});

describe("quantile (linear interpolation, numpy's default) and summarize", () => {
  it("interpolates between order statistics at position (n − 1)·q", () => {
    // sorted [1, 2, 3, 4]
    // q = 0.5: position 3·0.5 = 1.5 → 2 + 0.5·(3 − 2) = 2.5
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    // q = 0.9: position 2.7 → 3 + 0.7·(4 − 3) = 3.7
    expect(quantile([4, 1, 3, 2], 0.9)).toBeCloseTo(3.7, 12);
    // q = 0.25: position 0.75 → 1 + 0.75·(2 − 1) = 1.75
    expect(quantile([4, 1, 3, 2], 0.25)).toBe(1.75);
    // sorted [1, 7, 10], q = 0.4: position 0.8 → 1 + 0.8·(7 − 1) = 5.8
    expect(quantile([10, 1, 7], 0.4)).toBeCloseTo(5.8, 12);
    // ends are the minimum and the maximum
    expect(quantile([10, 1, 7], 0)).toBe(1);
    expect(quantile([10, 1, 7], 1)).toBe(10);
  });

  it("handles one value, identical values and empty input", () => {
    expect(quantile([42], 0.9)).toBe(42);
    expect(quantile([7, 7, 7], 0.3)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });

  it("rejects q outside [0, 1] and non-finite values", () => {
    expect(() => quantile([1, 2], 1.5)).toThrow(RangeError);
    expect(() => quantile([1, 2], -0.1)).toThrow(RangeError);
    expect(() => quantile([1, 2], Number.NaN)).toThrow(RangeError);
    expect(() => quantile([1, Number.NaN], 0.5)).toThrow(RangeError);
  });

  it("summarize gives count, mean, min, max, p50 and p90", () => {
    // [3, 1, 4, 1, 5, 9, 2, 6] sorted = [1, 1, 2, 3, 4, 5, 6, 9]; sum 31, mean 31/8 = 3.875
    // p50: position 7·0.5 = 3.5 → 3 + 0.5·(4 − 3) = 3.5
    // p90: position 7·0.9 = 6.3 → 6 + 0.3·(9 − 6) = 6.9
    const summary = summarize([3, 1, 4, 1, 5, 9, 2, 6]);
    expect(summary).toMatchObject({ count: 8, mean: 3.875, min: 1, max: 9, p50: 3.5 });
    expect(summary?.p90).toBeCloseTo(6.9, 12);
    expect(summarize([7, 7, 7])).toEqual({ count: 3, mean: 7, min: 7, max: 7, p50: 7, p90: 7 });
    expect(summarize([])).toBeNull();
  });
});

describe("normal quantile, Wilson interval, proportionDifference (Newcombe hybrid score)", () => {
  it("gives the textbook z values", () => {
    // normal tables: z(0.975) = 1.959964, z(0.95) = 1.644854, z(0.995) = 2.575829
    expect(twoSidedZ(0.95)).toBeCloseTo(1.959964, 6);
    expect(twoSidedZ(0.9)).toBeCloseTo(1.644854, 6);
    expect(twoSidedZ(0.99)).toBeCloseTo(2.575829, 6);
    // symmetric about ½; the lower tail branch (p < 0.02425): z(0.001) = −3.090232
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 6);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232, 6);
    expect(() => twoSidedZ(1)).toThrow(RangeError);
    expect(() => twoSidedZ(0)).toThrow(RangeError);
  });

  it("Wilson interval of 0 of n is [0, (z²/n)/(1 + z²/n)], not a zero-width Wald interval", () => {
    // z² = 1.959964² = 3.841459; z²/n = 0.3841459 for n = 10
    // centre = (0 + z²/2n)/(1 + z²/n), half-width = z/(1 + z²/n)·√(0 + z²/4n²) = the same,
    // so high = 2·centre = 0.3841459/1.3841459 = 0.2775328
    const interval = wilsonInterval(0, 10);
    expect(interval?.low).toBe(0);
    expect(interval?.high).toBeCloseTo(0.2775328, 7);
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it("reproduces Newcombe's published example 56/70 − 48/80", () => {
    // Newcombe (1998), Stat Med 17:873, Table II example (a), method 10: 0.0524 to 0.3339
    // z = 1.959964, z² = 3.841459
    // Wilson 56/70: p = 0.8, z²/n = 0.0548780, centre = (0.8 + 0.0274390)/1.0548780 = 0.7843931,
    //   half = (z/1.0548780)·√(0.8·0.2/70 + z²/(4·70²)) = 1.8580007·√(0.0022857 + 0.0001960)
    //   = 0.0925595 → [0.6918336, 0.8769526]
    // Wilson 48/80: p = 0.6, z²/n = 0.0480182, centre = (0.6 + 0.0240091)/1.0480182 = 0.5954182,
    //   half = 1.8701621·√(0.003 + 0.0001501) = 0.1049635 → [0.4904547, 0.7003817]
    // low  = 0.2 − √((0.8 − 0.6918336)² + (0.7003817 − 0.6)²) = 0.2 − √(0.0117000 + 0.0100765)
    //      = 0.2 − 0.1475685 = 0.0524315
    // high = 0.2 + √((0.8769526 − 0.8)² + (0.6 − 0.4904547)²) = 0.2 + √(0.0059217 + 0.0120002)
    //      = 0.2 + 0.1338727 = 0.3338727
    const result = proportionDifference(56, 70, 48, 80);
    expect(result?.difference).toBeCloseTo(0.2, 12);
    expect(result?.low).toBeCloseTo(0.0524315, 6);
    expect(result?.high).toBeCloseTo(0.3338727, 6);
    expect(result?.significant).toBe(true);

    // the other way round (failures fell): 48/80 − 56/70 = −0.2, and the interval mirrors:
    // low  = −0.2 − √((0.6 − 0.4904547)² + (0.8769526 − 0.8)²) = −0.2 − 0.1338727 = −0.3338727
    // high = −0.2 + √((0.7003817 − 0.6)² + (0.8 − 0.6918336)²) = −0.2 + 0.1475685 = −0.0524315
    // entirely below 0: a significant improvement
    const improved = proportionDifference(48, 80, 56, 70);
    expect(improved?.difference).toBeCloseTo(-0.2, 12);
    expect(improved?.low).toBeCloseTo(-0.3338727, 6);
    expect(improved?.high).toBeCloseTo(-0.0524315, 6);
    expect(improved?.significant).toBe(true);
  });

  it("is symmetric around 0 for equal rates, and not significant", () => {
    // 0/10 vs 0/10: d = 0; low = 0 − √(0² + 0.2775328²), high = 0 + √(0.2775328² + 0²)
    const none = proportionDifference(0, 10, 0, 10);
    expect(none?.difference).toBe(0);
    expect(none?.low).toBeCloseTo(-0.2775328, 7);
    expect(none?.high).toBeCloseTo(0.2775328, 7);
    expect(none?.significant).toBe(false);
  });

  it("stays inside [−1, 1] at the extremes", () => {
    // 10/10 recent vs 0/20 baseline: d = 1
    // Wilson 10/10 = [1 − 0.2775328, 1] = [0.7224672, 1]   (mirror of 0/10)
    // Wilson 0/20 = [0, 0.1920729/1.1920729] = [0, 0.1611252]
    // low = 1 − √((1 − 0.7224672)² + 0.1611252²) = 1 − √(0.0770245 + 0.0259613) = 1 − 0.3209140 = 0.6790860
    // high = 1 + √((1 − 1)² + (0 − 0)²) = 1
    const result = proportionDifference(10, 10, 0, 20);
    expect(result?.difference).toBe(1);
    expect(result?.low).toBeCloseTo(0.679086, 6);
    expect(result?.high).toBeCloseTo(1, 12);
    expect(result?.significant).toBe(true);
  });

  it("uses the confidence level it is given", () => {
    // 2/20 vs 1/20 at 90%: z = 1.644854, z² = 2.7055443, z²/20 = 0.1352772
    // Wilson 2/20: centre = (0.1 + 0.0676386)/1.1352772 = 0.1476631,
    //   half = (z/1.1352772)·√(0.1·0.9/20 + z²/(4·20²)) = 1.4488564·√(0.0045 + 0.0016910)
    //   = 0.1139999 → [0.0336632, 0.2616630]
    // Wilson 1/20: centre = (0.05 + 0.0676386)/1.1352772 = 0.1036210,
    //   half = 1.4488564·√(0.002375 + 0.0016910) = 0.0923862 → [0.0112348, 0.1960072]
    // low  = 0.05 − √((0.1 − 0.0336632)² + (0.1960072 − 0.05)²) = 0.05 − √(0.0044006 + 0.0213181)
    //      = 0.05 − 0.1603704 = −0.1103704
    // high = 0.05 + √((0.2616630 − 0.1)² + (0.05 − 0.0112348)²) = 0.05 + √(0.0261349 + 0.0015027)
    //      = 0.05 + 0.1662458 = 0.2162458
    const result = proportionDifference(2, 20, 1, 20, 0.9);
    expect(result?.low).toBeCloseTo(-0.1103704, 6);
    expect(result?.high).toBeCloseTo(0.2162458, 6);
    expect(result?.significant).toBe(false);
  });

  it("returns null for an empty window and rejects impossible counts", () => {
    expect(proportionDifference(0, 0, 1, 10)).toBeNull();
    expect(proportionDifference(1, 10, 0, 0)).toBeNull();
    expect(() => proportionDifference(11, 10, 1, 10)).toThrow(RangeError);
    expect(() => proportionDifference(1.5, 10, 1, 10)).toThrow(RangeError);
    expect(() => proportionDifference(1, 10, 1, 10, 1)).toThrow(RangeError);
  });
});

describe("calibration", () => {
  const s = (confidence: number, success: boolean): CalibrationSample => ({ confidence, success });
  const mixed = [s(0.9, true), s(0.9, true), s(0.9, false), s(0.6, true), s(0.6, false), s(0.2, false)];

  it("brierScore is the mean squared gap between confidence and outcome", () => {
    // (0.1² + 0.1² + 0.9² + 0.4² + 0.6² + 0.2²)/6 = (0.01 + 0.01 + 0.81 + 0.16 + 0.36 + 0.04)/6 = 1.39/6
    expect(brierScore(mixed)).toBeCloseTo(1.39 / 6, 12);
    // always 0.5: (0.5²) whatever happens = 0.25
    expect(brierScore([s(0.5, true), s(0.5, false)])).toBe(0.25);
    // certain and right: 0
    expect(brierScore([s(1, true), s(0, false)])).toBe(0);
    expect(brierScore([])).toBeNull();
  });

  it("reliabilityBins reports count, mean confidence and success rate per bin", () => {
    // 0.9 → bin 9 [0.9, 1]: 3 samples, 2 succeeded; 0.6 → bin 6 [0.6, 0.7): 2, 1; 0.2 → bin 2: 1, 0
    const bins = reliabilityBins(mixed);
    expect(bins).toHaveLength(10);
    expect(bins[9]).toEqual({ low: 0.9, high: 1, count: 3, meanConfidence: 0.9, successRate: 2 / 3 });
    expect(bins[6]).toEqual({ low: 0.6, high: 0.7, count: 2, meanConfidence: 0.6, successRate: 0.5 });
    expect(bins[2]).toEqual({ low: 0.2, high: 0.3, count: 1, meanConfidence: 0.2, successRate: 0 });
    expect(bins[0]).toEqual({ low: 0, high: 0.1, count: 0, meanConfidence: null, successRate: null });
    expect(bins.reduce((total, bin) => total + bin.count, 0)).toBe(6);
  });

  it("puts a confidence on an edge in the bin that starts there, and 1.0 in the last bin", () => {
    const at = (confidence: number, bins: number) => reliabilityBins([s(confidence, true)], bins).findIndex((bin) => bin.count === 1);
    expect(at(1, 10)).toBe(9); // [0.9, 1] includes 1
    expect(at(0, 10)).toBe(0);
    expect(at(0.3, 10)).toBe(3); // [0.3, 0.4), not [0.2, 0.3)
    expect(at(0.7, 10)).toBe(7);
    // 0.29·100 = 28.999999999999996 in floating point, yet 0.29 is the edge of bin 29
    expect(at(0.29, 100)).toBe(29);
    // 5 bins: [0.8, 1] holds 0.8 and 1; 0.7999 is in [0.6, 0.8)
    expect(at(0.8, 5)).toBe(4);
    expect(at(1, 5)).toBe(4);
    expect(at(0.7999, 5)).toBe(3);
  });

  it("reliabilityBins of nothing is a row of empty bins; bad input throws", () => {
    const bins = reliabilityBins([], 4);
    expect(bins.map((bin) => [bin.low, bin.high, bin.count])).toEqual([
      [0, 0.25, 0],
      [0.25, 0.5, 0],
      [0.5, 0.75, 0],
      [0.75, 1, 0],
    ]);
    expect(() => reliabilityBins([s(1.2, true)])).toThrow(RangeError);
    expect(() => reliabilityBins([s(Number.NaN, true)])).toThrow(RangeError);
    expect(() => reliabilityBins(mixed, 0)).toThrow(RangeError);
  });

  it("expectedCalibrationError weights each bin's |success rate − confidence| by its count", () => {
    // bin 9: 3/6·|2/3 − 0.9| = 3/6·0.2333333; bin 6: 2/6·|0.5 − 0.6| = 2/6·0.1; bin 2: 1/6·|0 − 0.2|
    // = (0.7 + 0.2 + 0.2)/6 = 1.1/6 = 0.1833333
    expect(expectedCalibrationError(mixed)).toBeCloseTo(1.1 / 6, 12);
    // perfectly calibrated: 0.5 confidence, half succeed; 1.0 confidence, all succeed
    expect(expectedCalibrationError([s(0.5, true), s(0.5, false), s(1, true)])).toBe(0);
    expect(expectedCalibrationError([])).toBeNull();
  });

  it("autoExecutionThreshold is the lowest confidence whose actions at or above met the target", () => {
    const repeat = (confidence: number, successes: number, failures: number) => [
      ...Array.from({ length: successes }, () => s(confidence, true)),
      ...Array.from({ length: failures }, () => s(confidence, false)),
    ];
    const samples = [...repeat(0.99, 20, 0), ...repeat(0.9, 9, 1), ...repeat(0.8, 8, 2)];
    // t = 0.99: 20/20 = 1 ≥ 0.95 ✓; t = 0.9: 29/30 = 0.967 ✓; t = 0.8: 37/40 = 0.925 ✗ → 0.9
    expect(autoExecutionThreshold(samples)).toBe(0.9);
    // a lower target admits 0.8 (0.925 ≥ 0.9)
    expect(autoExecutionThreshold(samples, 0.9)).toBe(0.8);
    // not monotone: add 10 at 0.7 (t = 0.7: 47/50 = 0.94 ✗) and 40 at 0.5 all good
    // (t = 0.5: 87/90 = 0.967 ✓): the lowest qualifying threshold is 0.5, past two failing ones
    expect(autoExecutionThreshold([...samples, ...repeat(0.7, 10, 0), ...repeat(0.5, 40, 0)])).toBe(0.5);
  });

  it("autoExecutionThreshold needs minSamples at or above t and accepts a rate exactly on target", () => {
    const perfect = Array.from({ length: 19 }, () => s(1, true));
    // 19 < 20 samples: no threshold yet, however good
    expect(autoExecutionThreshold(perfect)).toBeNull();
    expect(autoExecutionThreshold(perfect, 0.95, 19)).toBe(1);
    // 19 of 20 at 0.97 = 0.95 exactly, which meets 0.95
    expect(autoExecutionThreshold([...Array.from({ length: 19 }, () => s(0.97, true)), s(0.97, false)])).toBe(0.97);
    // never good enough
    expect(autoExecutionThreshold(Array.from({ length: 30 }, () => s(0.99, false)))).toBeNull();
    expect(autoExecutionThreshold([])).toBeNull();
    expect(() => autoExecutionThreshold(perfect, 0)).toThrow(RangeError);
    expect(() => autoExecutionThreshold(perfect, 0.95, 0)).toThrow(RangeError);
  });
});

describe("interventionRate (DESIGN.md definition) and rubber stamps", () => {
  const none = { autonomous: 0, denied: 0, approved: 0, edited: 0, rejected: 0, expired: 0 };

  it("divides actions that needed a human by all decided actions, leaving pending ones out", () => {
    // needed a human: 20 + 5 + 4 + 1 = 30; decided: 30 + 60 autonomous + 10 denied = 100
    // 30/100 = 0.3 is not above 30%: not flagged; the 7 pending count nowhere
    const result = interventionRate({ autonomous: 60, denied: 10, approved: 20, edited: 5, rejected: 4, expired: 1, pending: 7 });
    expect(result).toEqual({ rate: 0.3, interventions: 30, decided: 100, flagged: false, leaning: null });
    expect(INTERVENTION_FLAG_RATE).toBe(0.3);
  });

  it("flags a rate above 30% as too tight when people mostly approve as proposed", () => {
    // 10 + 2 + 2 + 1 = 15 of 15 + 5 = 20 → 0.75; people decided 14, approved as is 10/14 ≥ ½
    const result = interventionRate({ ...none, autonomous: 5, approved: 10, edited: 2, rejected: 2, expired: 1 });
    expect(result).toEqual({ rate: 0.75, interventions: 15, decided: 20, flagged: true, leaning: "too_tight" });
  });

  it("flags a rate above 30% as too loose when people mostly edit or reject", () => {
    // 2 + 4 + 6 + 3 = 15 of 15 + 10 + 5 = 30 → 0.5; approved as is 2 of 12 people decided < ½
    const result = interventionRate({ autonomous: 10, denied: 5, approved: 2, edited: 4, rejected: 6, expired: 3 });
    expect(result).toEqual({ rate: 0.5, interventions: 15, decided: 30, flagged: true, leaning: "too_loose" });
  });

  it("handles nothing decided, only denials and only expiries", () => {
    expect(interventionRate({ ...none, pending: 4 })).toEqual({ rate: null, interventions: 0, decided: 0, flagged: false, leaning: null });
    // denials are decided without a human: 0/4
    expect(interventionRate({ ...none, denied: 4 }).rate).toBe(0);
    // 3 expired of 3: rate 1, flagged, but no human decision to say which way
    expect(interventionRate({ ...none, expired: 3 })).toEqual({ rate: 1, interventions: 3, decided: 3, flagged: true, leaning: null });
    expect(() => interventionRate({ ...none, approved: -1 })).toThrow(RangeError);
    expect(() => interventionRate({ ...none, approved: 1.5 })).toThrow(RangeError);
  });

  it("isRubberStamp is true strictly under two seconds", () => {
    expect(RUBBER_STAMP_MS).toBe(2000);
    expect(isRubberStamp(0)).toBe(true);
    expect(isRubberStamp(1999)).toBe(true);
    expect(isRubberStamp(2000)).toBe(false);
    expect(isRubberStamp(45_000)).toBe(false);
    expect(() => isRubberStamp(Number.NaN)).toThrow(RangeError);
  });
});
