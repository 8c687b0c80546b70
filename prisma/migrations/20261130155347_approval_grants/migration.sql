-- CreateTable
CREATE TABLE "approval_grants" (
    "id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "tool" TEXT NOT NULL,
    "resource" TEXT,
    "from_action_id" UUID NOT NULL,
    "granted_by_id" TEXT,
    "granted_by_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    "ended_at" TIMESTAMPTZ(6),
    "ended_by_label" TEXT,
    "end_reason" TEXT,

    CONSTRAINT "approval_grants_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "approval_grants_agent_id_tool_expires_at_idx" ON "approval_grants"("agent_id", "tool", "expires_at");

-- CreateIndex
CREATE INDEX "approval_grants_expires_at_idx" ON "approval_grants"("expires_at");

-- AddForeignKey
ALTER TABLE "approval_grants" ADD CONSTRAINT "approval_grants_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
