import { describe, expect, it } from "vitest";
import { toCsv } from "../../components/metrics/csv";
import { calibrationFromBins, type FineBin } from "../../server/metrics/binned-calibration";
import { autoExecutionThreshold, brierScore, expectedCalibrationError, reliabilityBins } from "../../server/metrics/calibration";
import { histogramQuantile, LATENCY_BUCKETS, mergeHistograms } from "../../server/metrics/latency-histogram";
import { bucketFor, bucketStarts } from "../../server/metrics/overview";

describe("csv", () => {
  it("writes a header and one line per row, quoting what needs it and defusing formulas", () => {
    const csv = toCsv(
      [
        { key: "a", label: "Agent", value: (r: { a: string; n: number | null }) => r.a },
        { key: "n", label: "Rate, %", value: (r) => r.n },
      ],
      [
        { a: "ops-1", n: 0.25 },
        { a: 'say "hi"', n: null },
        { a: "=cmd()", n: Number.NaN },
      ],
    );
    expect(csv).toBe('Agent,"Rate, %"\r\nops-1,0.25\r\n"say ""hi""",\r\n\'=cmd(),\r\n');
  });
});

describe("buckets", () => {
  it("uses hours up to two days and days beyond, and fills every bucket", () => {
    const from = new Date("2026-11-01T10:30:00Z");
    expect(bucketFor(from, new Date("2026-11-03T10:30:00Z"))).toBe("hour");
    expect(bucketFor(from, new Date("2026-11-03T10:31:00Z"))).toBe("day");
    expect(bucketStarts(from, new Date("2026-11-01T13:00:00Z"), "hour").map((d) => d.toISOString())).toEqual([
      "2026-11-01T10:00:00.000Z",
      "2026-11-01T11:00:00.000Z",
      "2026-11-01T12:00:00.000Z",
    ]);
    expect(bucketStarts(from, new Date("2026-11-08T00:00:00Z"), "day")).toHaveLength(7);
  });
});

describe("latency histogram", () => {
  it("interpolates inside the bucket and answers null when empty", () => {
    const h = new Array<number>(LATENCY_BUCKETS).fill(0);
    h[0] = 2; // two under 1 s
    h[2] = 2; // two in [2 s, 5 s)
    // rank 0.5 × 4 = 2 ends the first bucket: 0 + 1000 × 2/2.
    expect(histogramQuantile(h, 0.5)).toBe(1000);
    // rank 0.75 × 4 = 3 is 1 of the 2 in [2000, 5000): 2000 + 3000 × 1/2.
    expect(histogramQuantile(h, 0.75)).toBe(3500);
    expect(histogramQuantile(new Array<number>(LATENCY_BUCKETS).fill(0), 0.5)).toBeNull();
    expect(mergeHistograms([[1, 2], [3], null])).toEqual([4, 2, ...new Array<number>(LATENCY_BUCKETS - 2).fill(0)]);
  });
});

describe("calibration from rollup bins", () => {
  it("matches the sample-based Brier score, ECE and reliability exactly, and the threshold to the bin", () => {
    // A deterministic spread of 400 samples: confidence i/400, success when a hash says so.
    const samples = Array.from({ length: 400 }, (_, i) => ({ confidence: Math.round((i / 400) * 1000) / 1000, success: (i * 7919) % 100 < i / 4 }));
    const bins = new Map<number, FineBin>();
    for (const s of samples) {
      const bin = Math.min(99, Math.floor(s.confidence * 100));
      const b = bins.get(bin) ?? { bin, n: 0, successes: 0, sumConf: 0, sumConfSq: 0, sumConfSuccess: 0 };
      b.n += 1;
      b.sumConf += s.confidence;
      b.sumConfSq += s.confidence ** 2;
      if (s.success) {
        b.successes += 1;
        b.sumConfSuccess += s.confidence;
      }
      bins.set(bin, b);
    }
    const result = calibrationFromBins([...bins.values()], { target: 0.9, minSamples: 10 });
    expect(result.samples).toBe(400);
    expect(result.brier).toBeCloseTo(brierScore(samples)!, 12);
    expect(result.ece).toBeCloseTo(expectedCalibrationError(samples)!, 12);
    expect(result.reliability.map((b) => b.count)).toEqual(reliabilityBins(samples).map((b) => b.count));
    const exact = autoExecutionThreshold(samples, 0.9, 10);
    expect(exact).not.toBeNull();
    // The binned threshold is a bin edge (whole bins only), so it lands within one bin of the exact one.
    expect(Math.abs(exact! - result.threshold!)).toBeLessThan(0.01 + 1e-9);
    expect(calibrationFromBins([])).toMatchObject({ samples: 0, brier: null, ece: null, threshold: null });
  });
});

describe("quality pivot", () => {
  it("one row per bucket, one column per score, people's thumbs as 'people', gaps as null", async () => {
    const { pivotQuality } = await import("../../components/metrics/quality-pivot");
    const { keys, rows } = pivotQuality(
      [
        { bucket: "b1", name: "human", source: "human", average: 0.5, count: 2 },
        { bucket: "b1", name: "correctness", source: "evaluator", average: 0.8, count: 1 },
        { bucket: "b3", name: "correctness", source: "evaluator", average: 0.25, count: 4 },
      ],
      ["b1", "b2", "b3"],
    );
    expect(keys).toEqual(["correctness", "people"]);
    expect(rows).toEqual([
      { bucket: "b1", correctness: 0.8, people: 0.5 },
      { bucket: "b2", correctness: null, people: null },
      { bucket: "b3", correctness: 0.25, people: null },
    ]);
  });
});
