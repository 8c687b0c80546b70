-- AlterTable
ALTER TABLE "actions" ADD COLUMN     "undo_from_result" BOOLEAN NOT NULL DEFAULT false;
