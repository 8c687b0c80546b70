-- AlterTable
ALTER TABLE "actions" ADD COLUMN     "external_id" TEXT;

-- One action per agent and framework tool-call id: a step the framework runs again, or two
-- proposals of one call at the same moment, meet this index and get the existing action.
CREATE UNIQUE INDEX "actions_agent_external_id" ON "actions" ("agent_id", "external_id") WHERE external_id IS NOT NULL;
