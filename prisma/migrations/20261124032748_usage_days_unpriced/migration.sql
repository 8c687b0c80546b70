-- AlterTable
ALTER TABLE "usage_days" ADD COLUMN     "unpriced_events" INTEGER NOT NULL DEFAULT 0;
