-- AlterTable
ALTER TABLE "control_events" ADD COLUMN     "offline_agents" UUID[] DEFAULT ARRAY[]::UUID[];
