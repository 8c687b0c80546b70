import { performance } from "node:perf_hooks";
import pg from "pg";
import { fillMemories } from "./memory.bench";
import { baselineRecall, baselineRecallForDecision, baselineRecord } from "./recall/baseline";
import { generateCorpus, type LabelledQuery, type LessonRecord } from "./recall/corpus";
import { scoreAnswers, scoreByShape, type Answer, type QualityFigures } from "./recall/score";
import { benchDatabase, fmt, timeOnce } from "./support";

// The agent a decision recalls for: every lesson of the set is shared, so any id sees them all.
const ASKING_AGENT = "00000000-0000-4000-8000-000000000020";

/**
 * `npm run bench -- recall`: the labelled recall set (bench/recall/corpus.ts) recorded and
 * queried twice in one run, first through recall as it was before issue 20 (bench/recall/
 * baseline.ts: its recording, its SQL, its escalation rule), then through Warden's recall today;
 * precision@5, recall@5, MRR and false escalations for each. Then `fill` generated entries are
 * added and both recalls are timed again over the same queries (latency at a million entries).
 */
export async function recallBenchmark(options: { fill: number }) {
  const url = await benchDatabase("warden_bench_recall_w20");
  process.env.DATABASE_URL = url;
  const { db } = await import("../server/db/client");
  const { recordDerivedMemory } = await import("../server/memory/record-memory");
  const { recallMemories } = await import("../server/memory/recall");
  const { matchingFailures, recallForDecision } = await import("../server/memory/recall-for-decision");
  const { actionSubject, fitMemorySubject } = await import("../server/memory/subject-key");
  const pool = new pg.Pool({ connectionString: url, max: 4 });

  const corpus = generateCorpus();
  const decisions = corpus.queries.filter((q) => q.action).length;
  console.log(
    `\n## Recall quality (issue 20): ${corpus.records.length.toLocaleString()} recorded lessons (${corpus.lessons.toLocaleString()} distinct), ` +
      `${corpus.queries.length} queries (${decisions} decisions, ${corpus.queries.length - decisions} questions in words, ` +
      `${corpus.queries.filter((q) => q.shape === "nothing").length} about nothing known)\n`,
  );

  // Before: recorded and recalled as before issue 20.
  const before = await recordAll(corpus.records, (r) => baselineRecord(db, r));
  const beforeAnswers = await answerAll(corpus.queries, async (query) => {
    if (query.action) {
      const { recalled, escalatedBy } = await baselineRecallForDecision(db, query.action);
      return { returned: recalled.map((m) => m.id), escalatedBy };
    }
    return { returned: (await baselineRecall(db, { q: query.q!, limit: 10 })).map((m) => m.id), escalatedBy: null };
  });
  const beforeFigures = scoreAnswers(corpus.queries, beforeAnswers, lookup(before));
  const beforeEntries = Number((await pool.query("SELECT count(*) FROM memories")).rows[0].count);

  // After: the same lessons through Warden's recording (merges repeats) and recall.
  await pool.query("TRUNCATE memory_recalls, memory_occurrences, memory_versions, memories, memory_subjects, memory_topics, memory_words");
  const after = await recordAll(corpus.records, async (r) => {
    const actor = { type: "system" as const, id: null, label: r.author };
    const subject = r.about ? (r.kind === "negative_knowledge" ? fitMemorySubject(r.about.action, actionSubject(r.about)) : r.subjectText) : r.subjectText;
    const recorded = await recordDerivedMemory(db, actor, { kind: r.kind, subject, body: r.body }, undefined, r.about ?? undefined);
    return recorded.id;
  });
  await pool.query("ANALYZE");
  const newAnswer = async (query: LabelledQuery) => {
    if (query.action) {
      const recalled = await recallForDecision(db, { agentId: ASKING_AGENT, ...query.action });
      return { returned: recalled.map((m) => m.id), escalatedBy: matchingFailures(recalled, 30).map((m) => m.id) };
    }
    const found = await recallMemories(db, { q: query.q!, agentId: ASKING_AGENT, limit: 10, wordsWhenNothingElse: true });
    return { returned: found.map((m) => m.id), escalatedBy: null };
  };
  await answerAll(corpus.queries.slice(0, 20), newAnswer); // warm the plans and the known-word cache
  const afterAnswers = await answerAll(corpus.queries, newAnswer);
  const afterFigures = scoreAnswers(corpus.queries, afterAnswers, lookup(after));
  const entries = Number((await pool.query("SELECT count(*) FROM memories")).rows[0].count);

  console.log("| recall | entries | precision@5 | recall@5 | MRR | false escalations | missed escalations | silent on unknown | p50 ms | p95 ms |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  const line = (name: string, n: number, f: QualityFigures) =>
    console.log(
      `| ${name} | ${n.toLocaleString()} | ${fmt(f.precisionAt5, 3)} | ${fmt(f.recallAt5, 3)} | ${fmt(f.mrr, 3)} | ${fmt(100 * f.falseEscalations, 1)}% | ${fmt(100 * f.missedEscalations, 1)}% | ${fmt(100 * f.silentOnUnknown, 1)}% | ${fmt(f.p50Ms, 2)} | ${fmt(f.p95Ms, 2)} |`,
    );
  line("before issue 20 (measured first)", beforeEntries, beforeFigures);
  line("issue 20", entries, afterFigures);

  const beforeShapes = scoreByShape(corpus.queries, beforeAnswers, lookup(before));
  const afterShapes = scoreByShape(corpus.queries, afterAnswers, lookup(after));
  console.log("\nBy query shape (before → after): precision@5, recall@5, MRR, false escalations\n");
  console.log("| shape | queries | precision@5 | recall@5 | MRR | false escalations |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const shape of Object.keys(afterShapes) as (keyof typeof afterShapes)[]) {
    const b = beforeShapes[shape];
    const a = afterShapes[shape];
    console.log(
      `| ${shape} | ${a.queries} | ${fmt(b.precisionAt5, 2)} → ${fmt(a.precisionAt5, 2)} | ${fmt(b.recallAt5, 2)} → ${fmt(a.recallAt5, 2)} | ${fmt(b.mrr, 2)} → ${fmt(a.mrr, 2)} | ${fmt(100 * b.falseEscalations, 1)}% → ${fmt(100 * a.falseEscalations, 1)}% |`,
    );
  }
  const misses = corpus.queries
    .map((q, i) => ({ q, a: afterAnswers[i]! }))
    .filter(({ q, a }) => q.mustRecall.length > 0 && !a.returned.slice(0, 5).some((id) => (after.get(id) ?? []).some((l) => q.mustRecall.includes(l))))
    .slice(0, 8)
    .map(({ q }) => (q.action ? `${q.action.action} on ${q.action.resource} (${q.action.tool})` : q.q));
  if (misses.length > 0) console.log(`\nMissed (first ${misses.length}): ${misses.map((m) => `\`${m}\``).join(", ")}`);

  let scale: Record<string, unknown> | null = null;
  if (options.fill > 0) {
    const filled = await timeOnce(() => fillMemories(pool, options.fill));
    await pool.query("ANALYZE");
    const total = Number((await pool.query("SELECT count(*) FROM memories")).rows[0].count);
    // The baseline reads subject keys only, which the fill writes too: both recalls on the same rows.
    const timedNew = await answerAll(corpus.queries, newAnswer);
    const timedOld = await answerAll(corpus.queries, async (query) => ({
      returned: (query.action ? (await baselineRecallForDecision(db, query.action)).recalled : await baselineRecall(db, { q: query.q!, limit: 10 })).map(
        (m) => m.id,
      ),
      escalatedBy: null,
    }));
    const p = (answers: Answer[], q: number) => [...answers.map((a) => a.ms)].sort((x, y) => x - y)[Math.floor(q * answers.length)]!;
    console.log(
      `\nLatency with ${total.toLocaleString()} entries (${options.fill.toLocaleString()} generated added in ${fmt(filled.ms / 1000)} s), the same ${corpus.queries.length} queries:\n`,
    );
    console.log("| recall | p50 ms | p95 ms | max ms |");
    console.log("|---|---:|---:|---:|");
    console.log(
      `| before issue 20 (decision: two recalls; question: one) | ${fmt(p(timedOld, 0.5), 2)} | ${fmt(p(timedOld, 0.95), 2)} | ${fmt(p(timedOld, 0.999), 2)} |`,
    );
    console.log(`| issue 20 (word reading + one recall) | ${fmt(p(timedNew, 0.5), 2)} | ${fmt(p(timedNew, 0.95), 2)} | ${fmt(p(timedNew, 0.999), 2)} |`);
    scale = { entries: total, before: { p50: p(timedOld, 0.5), p95: p(timedOld, 0.95) }, after: { p50: p(timedNew, 0.5), p95: p(timedNew, 0.95) } };
  }
  await pool.end();
  await db.$disconnect();
  return {
    corpus: { records: corpus.records.length, lessons: corpus.lessons, queries: corpus.queries.length },
    before: beforeFigures,
    after: afterFigures,
    beforeShapes,
    afterShapes,
    scale,
  };
}

/** Records every lesson in order; returns, for each entry, the lessons it holds. */
async function recordAll(records: LessonRecord[], record: (r: LessonRecord) => Promise<string>): Promise<Map<string, number[]>> {
  const lessons = new Map<string, number[]>();
  for (const r of records) {
    const id = await record(r);
    const held = lessons.get(id) ?? [];
    if (!held.includes(r.lessonId)) held.push(r.lessonId);
    lessons.set(id, held);
  }
  return lessons;
}

async function answerAll(queries: LabelledQuery[], answer: (q: LabelledQuery) => Promise<Omit<Answer, "ms">>): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const query of queries) {
    const t0 = performance.now();
    const result = await answer(query);
    answers.push({ ...result, ms: performance.now() - t0 });
  }
  return answers;
}

function lookup(lessons: Map<string, number[]>) {
  return (id: string) => lessons.get(id) ?? [];
}
