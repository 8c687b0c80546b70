-- AlterTable
ALTER TABLE "memories" ADD COLUMN     "environment" TEXT,
ADD COLUMN     "names" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "operation" TEXT,
ADD COLUMN     "topic_key" TEXT;

-- AlterTable
ALTER TABLE "memory_recalls" ADD COLUMN     "changed_decision" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "warned" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "memory_occurrences" (
    "id" BIGSERIAL NOT NULL,
    "memory_id" UUID NOT NULL,
    "action_id" UUID,
    "task_id" UUID,
    "author_label" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memory_occurrences_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "memory_occurrences_memory_id_at_idx" ON "memory_occurrences"("memory_id", "at");

-- AddForeignKey
ALTER TABLE "memory_occurrences" ADD CONSTRAINT "memory_occurrences_memory_id_fkey" FOREIGN KEY ("memory_id") REFERENCES "memories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written: what recall matches by (issue 20). The distinct topics (operation, environment,
-- resource names), so that a decision looks at the few thousand topics a million entries share
-- instead of every entry sharing a word; and the vocabulary of subject words, so that a typo in
-- any word of a query is read as the nearest known word (fuzzystrmatch's levenshtein). Both are
-- kept by statement-level triggers, as memory_subjects is, so a bulk insert pays one statement.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

CREATE TABLE "memory_topics" (
    "key" TEXT NOT NULL,
    "operation" TEXT,
    "environment" TEXT,
    "names" TEXT[] NOT NULL,
    CONSTRAINT "memory_topics_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "memory_topics_names_idx" ON "memory_topics" USING gin ("names");
CREATE INDEX "memory_topics_operation_idx" ON "memory_topics" ("operation") WHERE cardinality(names) = 0;

CREATE TABLE "memory_words" (
    "word" TEXT NOT NULL,
    CONSTRAINT "memory_words_pkey" PRIMARY KEY ("word")
);
CREATE INDEX "memory_words_length_idx" ON "memory_words" (length("word"), "word");

CREATE FUNCTION memory_topics_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO memory_topics (key, operation, environment, names)
    SELECT DISTINCT ON (topic_key) topic_key, operation, environment, names FROM new_rows WHERE topic_key IS NOT NULL
  ON CONFLICT DO NOTHING;
  INSERT INTO memory_words (word)
    SELECT DISTINCT w FROM new_rows,
           LATERAL unnest(string_to_array(subject_key, ' ') || names || ARRAY[environment, operation]) w
     WHERE topic_key IS NOT NULL AND w IS NOT NULL AND length(w) BETWEEN 2 AND 40
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER memories_topics_on_insert AFTER INSERT ON memories
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memory_topics_seen();
CREATE TRIGGER memories_topics_on_update AFTER UPDATE ON memories
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memory_topics_seen();

-- The strongest live entries of one topic (recall's second step, and the same-lesson check on write).
CREATE INDEX "memories_topic_best_idx" ON "memories" ("topic_key", "occurrences" DESC, "last_learned_at" DESC) WHERE retired_at IS NULL;
-- The newest live failures of one topic (recall hands a fresh failure to a decision even where
-- stronger entries fill the topic's places).
CREATE INDEX "memories_topic_failures_idx" ON "memories" ("topic_key", "last_learned_at" DESC) WHERE retired_at IS NULL AND kind = 'negative_knowledge';
-- Entries not described yet, for the memory.describe pass (existing entries after this migration).
CREATE INDEX "memories_undescribed_idx" ON "memories" ("id") WHERE topic_key IS NULL;

-- Every existing entry was learned once at least: its first occurrence is its own provenance.
INSERT INTO memory_occurrences (memory_id, action_id, task_id, author_label, body, at)
  SELECT id, action_id, task_id, author_label, body, created_at FROM memories;

-- Recalls logged before this migration were "warned" by the score rule of the time (negative
-- knowledge scoring at least 0.45), so the metrics of hours recomputed later stay what they were.
UPDATE memory_recalls r SET warned = true FROM memories m
 WHERE m.id = r.memory_id AND m.kind = 'negative_knowledge' AND r.score >= 0.45;
