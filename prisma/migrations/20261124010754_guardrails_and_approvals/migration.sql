-- CreateEnum
CREATE TYPE "ToolRisk" AS ENUM ('low', 'medium', 'high', 'critical');

-- CreateEnum
CREATE TYPE "Decision" AS ENUM ('auto_execute', 'execute_with_notification', 'require_approval', 'deny');

-- CreateEnum
CREATE TYPE "ActionStatus" AS ENUM ('pending_approval', 'approved', 'rejected', 'expired', 'denied', 'executing', 'succeeded', 'failed', 'rolled_back');

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "notifications_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "agents" ADD COLUMN     "owner_id" UUID;

-- CreateTable
CREATE TABLE "tools" (
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "scopes" TEXT[],
    "rate_limit" TEXT,
    "requires_confirmation" BOOLEAN NOT NULL DEFAULT false,
    "reversible" BOOLEAN NOT NULL DEFAULT false,
    "risk" "ToolRisk" NOT NULL DEFAULT 'low',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "tools_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "policy_versions" (
    "version" INTEGER NOT NULL,
    "document" JSONB NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "author_id" TEXT,
    "author_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_versions_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "actions" (
    "id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "task_id" UUID,
    "action" TEXT NOT NULL,
    "tool" TEXT NOT NULL,
    "resource" TEXT,
    "args" JSONB NOT NULL DEFAULT '{}',
    "confidence" DOUBLE PRECISION NOT NULL,
    "reversible" BOOLEAN NOT NULL DEFAULT false,
    "undo" JSONB,
    "rationale" TEXT,
    "decision" "Decision" NOT NULL,
    "reasons" JSONB NOT NULL DEFAULT '[]',
    "policy_version" INTEGER NOT NULL,
    "recalled" JSONB NOT NULL DEFAULT '[]',
    "status" "ActionStatus" NOT NULL,
    "risk" "ToolRisk" NOT NULL DEFAULT 'low',
    "required_approvals" INTEGER NOT NULL DEFAULT 0,
    "expires_at" TIMESTAMPTZ(6),
    "approved_args" JSONB,
    "approved_args_hash" TEXT,
    "args_edited" BOOLEAN NOT NULL DEFAULT false,
    "decided_by_id" TEXT,
    "decided_by_label" TEXT,
    "decided_at" TIMESTAMPTZ(6),
    "reason" TEXT,
    "output" JSONB,
    "error" TEXT,
    "failure_reason" TEXT,
    "duration_ms" INTEGER,
    "cost_usd" DECIMAL(14,6),
    "completed_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "actions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval_votes" (
    "id" UUID NOT NULL,
    "action_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "user_label" TEXT NOT NULL,
    "args" JSONB,
    "comment" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approval_votes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL DEFAULT '',
    "action_id" UUID,
    "agent_id" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhooks" (
    "id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "events" TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "webhook_id" UUID NOT NULL,
    "event" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(6),

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "actions_agent_id_created_at_idx" ON "actions"("agent_id", "created_at");

-- CreateIndex
CREATE INDEX "actions_tool_created_at_idx" ON "actions"("tool", "created_at");

-- CreateIndex
CREATE INDEX "actions_created_at_idx" ON "actions"("created_at");

-- CreateIndex
CREATE INDEX "actions_status_created_at_idx" ON "actions"("status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "approval_votes_action_id_user_id_key" ON "approval_votes"("action_id", "user_id");

-- CreateIndex
CREATE INDEX "notifications_created_at_idx" ON "notifications"("created_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_webhook_id_created_at_idx" ON "webhook_deliveries"("webhook_id", "created_at");

-- AddForeignKey
ALTER TABLE "agents" ADD CONSTRAINT "agents_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "actions" ADD CONSTRAINT "actions_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_votes" ADD CONSTRAINT "approval_votes_action_id_fkey" FOREIGN KEY ("action_id") REFERENCES "actions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written: the inbox and the expiry sweep read only pending actions.
CREATE INDEX "actions_pending_created_idx" ON "actions" ("created_at") WHERE status = 'pending_approval';
CREATE INDEX "actions_pending_expiry_idx" ON "actions" ("expires_at") WHERE status = 'pending_approval';
CREATE INDEX "actions_pending_risk_idx" ON "actions" ("risk" DESC, "created_at") WHERE status = 'pending_approval';
CREATE INDEX "actions_pending_confidence_idx" ON "actions" ("confidence", "created_at") WHERE status = 'pending_approval';
CREATE INDEX "actions_decided_at_idx" ON "actions" ("decided_at" DESC) WHERE decided_at IS NOT NULL;
