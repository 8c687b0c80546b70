import type { LabelledQuery, QueryShape } from "./corpus";

/** What one recall answered for one query: entry ids best first, and (decisions) the entries that lowered it. */
export type Answer = { returned: string[]; escalatedBy: string[] | null; ms: number };

export type QualityFigures = {
  queries: number;
  /** top five: distinct relevant lessons (same subject, or same resource) ÷ entries handed (a repeat of a lesson already counted is noise) */
  precisionAt5: number;
  /** top five: distinct same-subject lessons found ÷ min(5, how many there are) */
  recallAt5: number;
  /** 1 / rank of the first same-subject lesson (0 when absent) */
  mrr: number;
  /** of the queries about nothing known, the share answered with nothing */
  silentOnUnknown: number;
  decisions: number;
  /** decisions lowered by a lesson that is not a same-subject failure ÷ decisions */
  falseEscalations: number;
  /** decisions with a same-subject failure on record that were not lowered by one ÷ those decisions */
  missedEscalations: number;
  p50Ms: number;
  p95Ms: number;
};

const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

/**
 * Scores the answers against the labels. `lessonsOf` maps an entry to the lessons it holds (a
 * merged entry holds every repeat of its lesson; a store that does not merge has one entry per repeat).
 */
export function scoreAnswers(queries: LabelledQuery[], answers: Answer[], lessonsOf: (id: string) => number[]): QualityFigures {
  const precision: number[] = [];
  const recall: number[] = [];
  const reciprocal: number[] = [];
  const silent: number[] = [];
  let decisions = 0;
  let falseEscalations = 0;
  let withFailure = 0;
  let missed = 0;
  queries.forEach((query, i) => {
    const answer = answers[i]!;
    const must = new Set(query.mustRecall);
    const relevant = new Set([...query.mustRecall, ...query.mayRecall]);
    if (must.size === 0) silent.push(answer.returned.length === 0 ? 1 : 0);
    else {
      const top = answer.returned.slice(0, 5);
      const counted = new Set<number>();
      let useful = 0;
      for (const id of top) {
        const fresh = lessonsOf(id).filter((l) => relevant.has(l) && !counted.has(l));
        if (fresh.length > 0) useful++;
        fresh.forEach((l) => counted.add(l));
      }
      precision.push(top.length === 0 ? 0 : useful / top.length);
      // Capped at 1: an entry that merged two labelled lessons (their texts nearly the same) counts them both.
      recall.push(Math.min(1, [...counted].filter((l) => must.has(l)).length / Math.min(5, must.size)));
      const rank = answer.returned.findIndex((id) => lessonsOf(id).some((l) => must.has(l)));
      reciprocal.push(rank < 0 ? 0 : 1 / (rank + 1));
    }
    if (answer.escalatedBy !== null) {
      decisions++;
      const allowed = new Set(query.mayEscalate);
      const rightly = answer.escalatedBy.some((id) => lessonsOf(id).some((l) => allowed.has(l)));
      if (answer.escalatedBy.length > 0 && !rightly) falseEscalations++;
      if (allowed.size > 0) {
        withFailure++;
        if (!rightly) missed++;
      }
    }
  });
  const times = answers.map((a) => a.ms);
  return {
    queries: queries.length,
    precisionAt5: mean(precision),
    recallAt5: mean(recall),
    mrr: mean(reciprocal),
    silentOnUnknown: mean(silent),
    decisions,
    falseEscalations: decisions === 0 ? 0 : falseEscalations / decisions,
    missedEscalations: withFailure === 0 ? 0 : missed / withFailure,
    p50Ms: quantile(times, 0.5),
    p95Ms: quantile(times, 0.95),
  };
}

/** The same figures per query shape, to see where a recall is weak. */
export function scoreByShape(queries: LabelledQuery[], answers: Answer[], lessonsOf: (id: string) => number[]): Record<QueryShape, QualityFigures> {
  const shapes = [...new Set(queries.map((q) => q.shape))];
  return Object.fromEntries(
    shapes.map((shape) => {
      const at = queries.map((q, i) => (q.shape === shape ? i : -1)).filter((i) => i >= 0);
      return [
        shape,
        scoreAnswers(
          at.map((i) => queries[i]!),
          at.map((i) => answers[i]!),
          lessonsOf,
        ),
      ];
    }),
  ) as Record<QueryShape, QualityFigures>;
}
