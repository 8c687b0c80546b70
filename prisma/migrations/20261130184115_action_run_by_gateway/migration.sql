-- AlterTable
ALTER TABLE "actions" ADD COLUMN     "run_by_gateway" BOOLEAN NOT NULL DEFAULT false;
