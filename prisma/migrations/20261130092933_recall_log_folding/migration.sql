-- AlterTable
-- Hand-written in two steps: the recalls logged so far are already in times_recalled (true for
-- every existing row, a metadata-only change), and every new one waits to be folded (false).
ALTER TABLE "memory_recalls" ADD COLUMN "counted" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "memory_recalls" ALTER COLUMN "counted" SET DEFAULT false;

-- Hand-written: the fold (server/memory/fold-recalls.ts) finds the recalls it has not counted yet
-- by this, however long the log grows.
CREATE INDEX "memory_recalls_uncounted_idx" ON "memory_recalls" ("id") WHERE NOT "counted";
