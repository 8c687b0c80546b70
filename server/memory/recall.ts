import type { DbOrTx } from "../db/client";
import { sqlRows } from "../db/direct-sql";
import { Prisma } from "../db/generated/client";
import type { MemoryView, RecallMatch } from "../schemas/memory";
import { correctWords, type Correction } from "./correct-words";
import { describeAction, describeSubjectText, MATCH_LEVEL, wordsOf, type SubjectTopic, type TopicMatch } from "./describe-subject";
import { ENVIRONMENT_WORDS, GENERIC_WORDS, operationOf } from "./operations";

export type RecallRequest = {
  /** What to recall, as typed: `traefik restart`, `restart api on staging/api`. */
  q?: string;
  /** Or the action being decided: its words, tool and resource are read as they are. */
  action?: { action: string; tool: string | null; resource: string | null };
  /** The agent asking: it sees shared memories and its own private ones. Null: a person, who sees all. */
  agentId: string | null;
  kind?: "decision" | "negative_knowledge" | "pattern";
  agent?: string;
  tag?: string;
  sinceDays?: number;
  limit?: number;
  /**
   * The weakest match handed over: agents and decisions get lessons about the same operation or
   * resource (`same_operation`, the default); a person's search also lists entries that only
   * share words (`words`).
   */
  weakest?: TopicMatch;
  /**
   * When nothing about the same operation or resource is known, hand over entries whose text
   * holds every query word instead (a question in words, `GET /memory/recall`); a decision does
   * not (a lesson it cannot tie to the action would only be noise).
   */
  wordsWhenNothingElse?: boolean;
};

type Row = {
  id: string;
  kind: MemoryView["kind"];
  subject: string;
  body: string;
  tags: string[];
  author_label: string;
  action_id: string | null;
  task_id: string | null;
  occurrences: number;
  created_at: Date;
  last_learned_at: Date;
  operation: string | null;
  environment: string | null;
  names: string[];
  level: number;
  score: number;
};

// How many of the closest topics recall opens, and how many entries it takes from each (the
// strongest: repeated lessons are one entry with more occurrences). Together with the word
// search below they bound the entries ranked per recall however large the memory grows.
const TOPICS = 24;
const ENTRIES_PER_TOPIC = 5;
const FRESH_FAILURES_PER_TOPIC = 3;
// Entries of the opened topics whose text holds a word the topics do not explain (the reason an
// agent names: `docker restart api renamed`), and, for a person's search, entries holding every word.
const WORD_MATCHES = 50;
const TEXT_MATCHES = 200;

/**
 * Recall in two bounded steps over the topics a lesson is filed under (describe-subject.ts):
 * 1. topics: the distinct (operation, environment, resource names) of memory_topics that share a
 *    resource name with the query, or general lessons about its operation, each classed by the
 *    matching rule (same subject, same resource, same operation, words only), closest first;
 * 2. entries: the strongest live entries of each, plus those of the same topics whose text holds
 *    the query's other words, plus entries holding every query word (a person's search; a
 *    question in words when no topic matched).
 * Every query word is first read as the nearest known word (correct-words.ts). Entries score by
 * their match (same subject 0.6, same resource 0.4, same operation 0.3, words 0.1), whether their
 * text holds a query word their topic does not explain (0.2: `renamed` in `docker restart api
 * renamed` picks the lesson about the rename), their text's relevance to the whole query (up to
 * 0.15) and how often the lesson was learned (up to 0.15).
 */
export async function recallMemories(db: DbOrTx, request: RecallRequest): Promise<MemoryView[]> {
  const asked = request.action ? describeAction(request.action) : describeSubjectText(request.q ?? "");
  if (asked.words.length === 0) return [];
  // The words in the order they were typed (then the resource's), so explanations read in that order.
  const typed = [...new Set([...wordsOf(request.action ? request.action.action : request.q), ...asked.words])];
  const { words, corrections } = await correctWords(db, typed);
  const query = corrections.length > 0 ? describeCorrected(request, corrections) : asked;
  const weakest = MATCH_LEVEL[request.weakest ?? "same_operation"];
  const limit = request.limit ?? 10;
  const textWords = [...new Set(words)];
  const anyWord = Prisma.sql`to_tsquery('english', ${textWords.join(" | ")})`;
  // Words that may explain why a lesson of a matched topic is the one meant (not the verb, the
  // environment, or how it runs).
  const otherWords = textWords.filter((w) => !operationOf(w) && !ENVIRONMENT_WORDS.has(w) && !GENERIC_WORDS.has(w));
  const filters = [
    request.agentId ? Prisma.sql`(m.scope = 'shared' OR m.author_agent_id = ${request.agentId}::uuid)` : Prisma.sql`TRUE`,
    request.kind ? Prisma.sql`m.kind = ${request.kind}::"MemoryKind"` : Prisma.sql`TRUE`,
    request.agent ? Prisma.sql`m.author_label = ${request.agent}` : Prisma.sql`TRUE`,
    request.tag ? Prisma.sql`${request.tag} = ANY(m.tags)` : Prisma.sql`TRUE`,
    request.sinceDays ? Prisma.sql`m.last_learned_at >= now() - make_interval(days => ${request.sinceDays})` : Prisma.sql`TRUE`,
  ];
  const where = Prisma.join(filters, " AND ");
  const op = query.operation;
  const env = query.environment;
  const rows = await sqlRows<Row>(
    db,
    Prisma.sql`
    WITH topics AS (
      SELECT t.key, t.names, t.environment,
             (cardinality(t.names) > 0 AND cardinality(${query.names}::text[]) > 0
              AND (t.environment IS NULL OR ${env}::text IS NULL OR t.environment = ${env}::text)
              AND (t.names <@ ${query.words}::text[] OR (NOT ${query.precise} AND ${query.names}::text[] <@ (t.names || coalesce(t.environment, ''))))) AS same_resource,
             (t.operation IS NOT NULL AND t.operation = ${op}::text) AS same_operation,
             (t.environment IS NULL OR ${env}::text IS NULL OR t.environment = ${env}::text) AS environments_agree
        FROM memory_topics t
       WHERE t.names && ${query.words}::text[]
          OR (cardinality(t.names) = 0 AND t.operation = ${op}::text)
    ), classed AS (
      SELECT key, names, environment,
             CASE WHEN same_resource AND same_operation THEN 3 WHEN same_resource THEN 2
                  WHEN same_operation AND cardinality(names) = 0 AND environments_agree THEN 1 ELSE 0 END AS level
        FROM topics
    ), chosen AS (
      SELECT key, names, environment, level FROM classed WHERE level >= ${weakest} ORDER BY level DESC, key LIMIT ${TOPICS}
    ), unexplained AS (
      SELECT coalesce(array_agg(w), '{}') AS words FROM unnest(${otherWords}::text[]) w
       WHERE NOT EXISTS (SELECT 1 FROM chosen c WHERE w = ANY(c.names) OR w = c.environment)
    ), candidates AS (
      SELECT best.id, c.level FROM chosen c CROSS JOIN LATERAL (
        SELECT m.id FROM memories m
         WHERE m.topic_key = c.key AND m.retired_at IS NULL AND ${where}
         ORDER BY m.occurrences DESC, m.last_learned_at DESC
         LIMIT ${ENTRIES_PER_TOPIC}) best
      UNION ALL
      -- The newest failures of a same-subject topic, however weak: a fresh failure must reach the
      -- decision (and its escalation) even where stronger entries fill the topic's places.
      SELECT fresh.id, c.level FROM chosen c CROSS JOIN LATERAL (
        SELECT m.id FROM memories m
         WHERE c.level = 3 AND m.topic_key = c.key AND m.kind = 'negative_knowledge' AND m.retired_at IS NULL AND ${where}
         ORDER BY m.last_learned_at DESC
         LIMIT ${FRESH_FAILURES_PER_TOPIC}) fresh
      UNION ALL
      (SELECT m.id, c.level FROM chosen c JOIN memories m ON m.topic_key = c.key, unexplained u
        WHERE cardinality(u.words) > 0 AND m.search @@ to_tsquery('english', array_to_string(u.words, ' | '))
          AND m.retired_at IS NULL AND ${where}
        LIMIT ${WORD_MATCHES})
      UNION ALL
      (SELECT m.id, 0 FROM memories m
        WHERE (${weakest} = 0 OR (${request.wordsWhenNothingElse ?? false} AND NOT EXISTS (SELECT 1 FROM chosen))) AND m.search @@ to_tsquery('english', ${textWords.join(" & ")}) AND m.retired_at IS NULL AND ${where}
        LIMIT ${TEXT_MATCHES})
    ), ranked AS (
      SELECT id, max(level) AS level FROM candidates GROUP BY id
    )
    SELECT m.id, m.kind::text AS kind, m.subject, m.body, m.tags, m.author_label, m.action_id, m.task_id, m.occurrences,
           m.created_at, m.last_learned_at, m.operation, m.environment, m.names, r.level,
           ((CASE r.level WHEN 3 THEN 0.6 WHEN 2 THEN 0.4 WHEN 1 THEN 0.3 ELSE 0.1 END)
            + 0.15 * ts_rank(m.search, ${anyWord}, 32)
            + CASE WHEN cardinality(u.words) > 0 AND m.search @@ to_tsquery('english', array_to_string(u.words, ' | ')) THEN 0.2 ELSE 0 END
            + 0.15 * least(1.0, ln(m.occurrences::float8) / ln(8.0)))::float8 AS score
      FROM ranked r JOIN memories m USING (id) CROSS JOIN unexplained u
     ORDER BY score DESC, m.last_learned_at DESC
     LIMIT ${limit}`,
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    subject: r.subject,
    body: r.body,
    tags: r.tags,
    score: Math.round(r.score * 1000) / 1000,
    agent: r.author_label,
    actionId: r.action_id,
    taskId: r.task_id,
    occurrences: r.occurrences,
    createdAt: r.created_at.toISOString(),
    lastLearnedAt: r.last_learned_at.toISOString(),
    why: explainMatch(r, query, textWords, corrections),
  }));
}

/** The query again, with each typo'd word read as the word it was corrected to. */
function describeCorrected(request: RecallRequest, corrections: Correction[]): SubjectTopic {
  const read = new Map(corrections.map((c) => [c.asked, c.read]));
  const fix = (text: string | null) => (text === null ? null : text.toLowerCase().replace(/[a-z0-9]+/g, (w) => read.get(w) ?? w));
  return request.action
    ? describeAction({ action: fix(request.action.action)!, tool: request.action.tool, resource: fix(request.action.resource) })
    : describeSubjectText(fix(request.q ?? "")!);
}

const MATCH_BY_LEVEL: TopicMatch[] = ["words", "same_operation", "same_resource", "same_subject"];

/** Why an entry was handed over: its match, the operation and resource words it shares, the typos read. */
function explainMatch(row: Row, query: SubjectTopic, textWords: string[], corrections: Correction[]): RecallMatch {
  const match = MATCH_BY_LEVEL[row.level] ?? "words";
  const entryWords = new Set([...row.names, ...(row.environment ? [row.environment] : []), ...wordsOf(row.subject), ...wordsOf(row.body)]);
  const shared = textWords.filter((w) => entryWords.has(w));
  const resource = match === "same_subject" || match === "same_resource" ? row.names.filter((w) => query.words.includes(w) || query.names.includes(w)) : [];
  return {
    match,
    operation: row.operation !== null && row.operation === query.operation ? row.operation : null,
    resource: resource.length > 0 ? resource : match === "same_subject" || match === "same_resource" ? row.names : [],
    words: shared,
    typos: corrections.filter((c) => entryWords.has(c.read) || operationOf(c.read) === row.operation).map((c) => ({ asked: c.asked, read: c.read })),
  };
}

/**
 * The INSERT that books a recall: one row per memory handed over, in the append-only recall log,
 * marking the ones handed as a matching failure (`warned`) and those that changed the decision.
 * It takes no lock on the entries, so a decision never waits on another's bookkeeping (updating
 * times_recalled here deadlocked 200 concurrent decisions that recalled the same lessons); the
 * counters on the entries are folded from this log later (fold-recalls.ts).
 */
export function recallBookkeepingSql(
  results: { id: string; score: number }[],
  agentId: string,
  actionId: string | null,
  flags: { warned?: string[]; changedDecision?: string[] } = {},
): Prisma.Sql[] {
  if (results.length === 0) return [];
  const warned = new Set(flags.warned ?? []);
  const changed = new Set(flags.changedDecision ?? []);
  return [
    Prisma.sql`INSERT INTO memory_recalls (memory_id, agent_id, action_id, score, warned, changed_decision)
               SELECT id, ${agentId}::uuid, ${actionId}::uuid, score, warned, changed
                 FROM unnest(${results.map((r) => r.id)}::uuid[], ${results.map((r) => r.score)}::float8[],
                             ${results.map((r) => warned.has(r.id))}::boolean[], ${results.map((r) => changed.has(r.id))}::boolean[])
                      AS r(id, score, warned, changed)`,
  ];
}
