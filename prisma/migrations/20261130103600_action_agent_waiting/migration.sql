-- AlterTable
ALTER TABLE "actions" ADD COLUMN     "agent_waiting_until" TIMESTAMPTZ(6);
