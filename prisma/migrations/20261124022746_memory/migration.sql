-- CreateEnum
CREATE TYPE "MemoryKind" AS ENUM ('decision', 'negative_knowledge', 'pattern');

-- CreateEnum
CREATE TYPE "MemoryScope" AS ENUM ('shared', 'private');

-- CreateTable
CREATE TABLE "memories" (
    "id" UUID NOT NULL,
    "kind" "MemoryKind" NOT NULL,
    "subject" TEXT NOT NULL,
    "subject_key" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "tags" TEXT[],
    "author_agent_id" UUID,
    "author_label" TEXT NOT NULL,
    "action_id" UUID,
    "task_id" UUID,
    "scope" "MemoryScope" NOT NULL DEFAULT 'shared',
    "occurrences" INTEGER NOT NULL DEFAULT 1,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    "last_learned_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_recalled_at" TIMESTAMPTZ(6),
    "times_recalled" INTEGER NOT NULL DEFAULT 0,
    "retired_at" TIMESTAMPTZ(6),
    "retired_by" TEXT,
    "superseded_by_id" UUID,

    CONSTRAINT "memories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memory_recalls" (
    "id" BIGSERIAL NOT NULL,
    "memory_id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "action_id" UUID,
    "score" DOUBLE PRECISION NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memory_recalls_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "memories_kind_created_at_idx" ON "memories"("kind", "created_at");

-- CreateIndex
CREATE INDEX "memories_author_agent_id_created_at_idx" ON "memories"("author_agent_id", "created_at");

-- CreateIndex
CREATE INDEX "memory_recalls_memory_id_at_idx" ON "memory_recalls"("memory_id", "at");

-- CreateIndex
CREATE INDEX "memory_recalls_action_id_idx" ON "memory_recalls"("action_id");

-- Hand-written: full-text search over subject (weight A) and body (weight B), and trigram search
-- over the normalized subject (pg_trgm, which the embedded database ships too).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER TABLE "memories" ADD COLUMN "search" tsvector
  GENERATED ALWAYS AS (setweight(to_tsvector('english', subject_key), 'A') || setweight(to_tsvector('english', body), 'B')) STORED;
CREATE INDEX "memories_search_idx" ON "memories" USING gin ("search") WHERE retired_at IS NULL;
CREATE INDEX "memories_subject_key_trgm_idx" ON "memories" USING gin ("subject_key" gin_trgm_ops) WHERE retired_at IS NULL;
CREATE INDEX "memories_tags_idx" ON "memories" USING gin ("tags");
