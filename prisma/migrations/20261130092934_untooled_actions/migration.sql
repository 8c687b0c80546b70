-- AlterTable
-- A proposal may name no tool (the Python client's `check(action, confidence)`).
ALTER TABLE "actions" ALTER COLUMN "tool" DROP NOT NULL;
