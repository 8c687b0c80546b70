-- AlterTable
ALTER TABLE "actions" ADD COLUMN     "repeated_failure" BOOLEAN;

-- CreateTable
CREATE TABLE "memory_versions" (
    "id" BIGSERIAL NOT NULL,
    "memory_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "kind" "MemoryKind" NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "tags" TEXT[],
    "author" TEXT NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL,
    "replaced_by" TEXT NOT NULL,
    "replaced_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "note" TEXT,

    CONSTRAINT "memory_versions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "memory_versions_memory_id_version_key" ON "memory_versions"("memory_id", "version");

-- CreateIndex
CREATE INDEX "memory_recalls_agent_id_at_idx" ON "memory_recalls"("agent_id", "at");

-- AddForeignKey
ALTER TABLE "memory_versions" ADD CONSTRAINT "memory_versions_memory_id_fkey" FOREIGN KEY ("memory_id") REFERENCES "memories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written: the distinct subjects, so recall ranks a few thousand subjects by likeness
-- instead of every entry that shares a word with the query (a million entries share a few
-- thousand subjects; repeated lessons strengthen one entry). Kept by statement-level triggers
-- so bulk inserts pay one INSERT ... SELECT DISTINCT, not one per row.
CREATE TABLE "memory_subjects" (
    "key" TEXT NOT NULL,
    CONSTRAINT "memory_subjects_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "memory_subjects_key_trgm_idx" ON "memory_subjects" USING gin ("key" gin_trgm_ops);
CREATE INDEX "memory_subjects_key_fts_idx" ON "memory_subjects" USING gin (to_tsvector('english', "key"));

CREATE FUNCTION memory_subjects_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO memory_subjects (key) SELECT DISTINCT subject_key FROM new_rows ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER memories_subjects_on_insert AFTER INSERT ON memories
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memory_subjects_seen();
CREATE TRIGGER memories_subjects_on_update AFTER UPDATE ON memories
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memory_subjects_seen();
INSERT INTO memory_subjects (key) SELECT DISTINCT subject_key FROM memories ON CONFLICT DO NOTHING;

-- The best live entries of one subject, strongest and newest first (recall's second step, and
-- the same-lesson check on write).
CREATE INDEX "memories_subject_best_idx" ON "memories" ("subject_key", "occurrences" DESC, "last_learned_at" DESC) WHERE retired_at IS NULL;
