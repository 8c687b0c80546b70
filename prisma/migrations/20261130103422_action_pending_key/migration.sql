-- AlterTable
ALTER TABLE "actions" ADD COLUMN     "pending_key" TEXT;

-- One pending request per agent and request: a repeated proposal (a model retrying its tool call,
-- an agent asking again while it waits) returns the one already in the inbox.
CREATE UNIQUE INDEX "actions_agent_pending_key" ON "actions" ("agent_id", "pending_key") WHERE status = 'pending_approval' AND pending_key IS NOT NULL;
