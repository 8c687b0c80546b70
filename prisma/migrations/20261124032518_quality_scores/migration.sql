-- DropIndex
DROP INDEX "scores_agent_id_created_at_idx";

-- DropIndex
DROP INDEX "scores_created_at_idx";

-- AlterTable
ALTER TABLE "scores" ADD COLUMN     "author_id" UUID;

-- Hand-written below: what Prisma's schema cannot express.

-- The quality series reads (created_at[, agent_id], name, source, value) only: covering
-- indexes let it answer from the index alone (index-only scans), with or without an agent
-- filter. They replace the plain (created_at) and (agent_id, created_at) indexes dropped above.
CREATE INDEX "scores_created_at_covering_idx" ON "scores" ("created_at") INCLUDE ("agent_id", "name", "source", "value");
CREATE INDEX "scores_agent_id_created_at_covering_idx" ON "scores" ("agent_id", "created_at") INCLUDE ("name", "source", "value");

-- The planner cannot guess how many buckets date_trunc makes and, over a million rows, would
-- sort them all on disk rather than hash a few hundred groups. These statistics tell it; the
-- expressions must match server/quality/quality-series.ts exactly.
CREATE STATISTICS "scores_hour_bucket_stats" ON (date_trunc('hour', "created_at" AT TIME ZONE 'UTC')) FROM "scores";
CREATE STATISTICS "scores_day_bucket_stats" ON (date_trunc('day', "created_at" AT TIME ZONE 'UTC')) FROM "scores";

-- One rating per person per item: a second rating replaces the first (INSERT … ON CONFLICT
-- against these), and two concurrent ratings cannot both insert.
CREATE UNIQUE INDEX "scores_human_task_author_key" ON "scores" ("task_id", "author_id") WHERE "source" = 'human';
CREATE UNIQUE INDEX "scores_human_action_author_key" ON "scores" ("action_id", "author_id") WHERE "source" = 'human';

-- Scores are on exactly one task or one action, normalised to 0–1 so averages compare; a
-- person's rating names its author (NULLs would slip past the unique indexes above).
ALTER TABLE "scores" ADD CONSTRAINT "scores_one_target_check" CHECK (num_nonnulls("task_id", "action_id") = 1);
ALTER TABLE "scores" ADD CONSTRAINT "scores_value_range_check" CHECK ("value" >= 0 AND "value" <= 1);
ALTER TABLE "scores" ADD CONSTRAINT "scores_human_author_check" CHECK ("source" <> 'human' OR "author_id" IS NOT NULL);
