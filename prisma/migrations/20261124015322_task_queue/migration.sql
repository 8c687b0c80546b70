-- CreateEnum
CREATE TYPE "TaskStatus" AS ENUM ('queued', 'leased', 'running', 'succeeded', 'failed', 'cancelled', 'suspended', 'dead');

-- CreateTable
CREATE TABLE "tasks" (
    "id" UUID NOT NULL,
    "queue_seq" BIGSERIAL NOT NULL,
    "title" TEXT NOT NULL,
    "capability" TEXT NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 50,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "dedupe_key" TEXT,
    "parent_id" UUID,
    "deadline" TIMESTAMPTZ(6),
    "status" "TaskStatus" NOT NULL DEFAULT 'queued',
    "created_by_type" TEXT NOT NULL,
    "created_by_id" TEXT,
    "created_by_label" TEXT NOT NULL,
    "leased_by" UUID,
    "lease_expires_at" TIMESTAMPTZ(6),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 3,
    "checkpoint" JSONB,
    "output" JSONB,
    "error" TEXT,
    "failure_reason" TEXT,
    "cost_usd" DECIMAL(14,6),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    "started_at" TIMESTAMPTZ(6),
    "completed_at" TIMESTAMPTZ(6),

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task_events" (
    "id" BIGSERIAL NOT NULL,
    "task_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "agent_id" UUID,
    "data" JSONB NOT NULL DEFAULT '{}',
    "at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "task_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "tasks_parent_id_idx" ON "tasks"("parent_id");

-- CreateIndex
CREATE INDEX "tasks_leased_by_status_idx" ON "tasks"("leased_by", "status");

-- CreateIndex
CREATE INDEX "tasks_status_created_at_idx" ON "tasks"("status", "created_at");

-- CreateIndex
CREATE INDEX "task_events_task_id_id_idx" ON "task_events"("task_id", "id");

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "tasks"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_events" ADD CONSTRAINT "task_events_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written: the claim reads the head of one capability's queue (highest priority, then
-- arrival); the lease sweep reads leases by expiry; dedupe looks up a key's newest task.
CREATE INDEX "tasks_queue_head_idx" ON "tasks" ("capability", "priority" DESC, "queue_seq") WHERE status = 'queued';
CREATE INDEX "tasks_lease_expiry_idx" ON "tasks" ("lease_expires_at") WHERE status IN ('leased', 'running');
CREATE INDEX "tasks_dedupe_key_idx" ON "tasks" ("dedupe_key", "created_at" DESC) WHERE dedupe_key IS NOT NULL;
