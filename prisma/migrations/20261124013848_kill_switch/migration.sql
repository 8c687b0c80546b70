-- CreateEnum
CREATE TYPE "ControlLevel" AS ENUM ('running', 'paused', 'suspended', 'killed');

-- CreateEnum
CREATE TYPE "ScopeKind" AS ENUM ('fleet', 'team', 'agent');

-- CreateEnum
CREATE TYPE "RollbackStatus" AS ENUM ('sent', 'awaiting_manual', 'succeeded', 'failed');

-- AlterTable
ALTER TABLE "agents" ADD COLUMN     "acked_epoch" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "actions" ADD COLUMN     "decided_seq" BIGINT;

-- CreateTable
CREATE TABLE "control_scopes" (
    "kind" "ScopeKind" NOT NULL,
    "key" TEXT NOT NULL,
    "state" "ControlLevel" NOT NULL DEFAULT 'running',
    "reason" TEXT,
    "epoch" BIGINT NOT NULL DEFAULT 0,
    "changed_by" TEXT,
    "changed_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "control_scopes_pkey" PRIMARY KEY ("kind","key")
);

-- CreateTable
CREATE TABLE "control_events" (
    "epoch" BIGINT NOT NULL,
    "kind" "ScopeKind" NOT NULL,
    "key" TEXT NOT NULL,
    "state" "ControlLevel" NOT NULL,
    "reason" TEXT,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT,
    "actor_label" TEXT NOT NULL,
    "target_agents" UUID[],
    "irreversible" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "control_events_pkey" PRIMARY KEY ("epoch")
);

-- CreateTable
CREATE TABLE "control_acks" (
    "epoch" BIGINT NOT NULL,
    "agent_id" UUID NOT NULL,
    "acked_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "latency_ms" INTEGER NOT NULL,

    CONSTRAINT "control_acks_pkey" PRIMARY KEY ("epoch","agent_id")
);

-- CreateTable
CREATE TABLE "kill_tokens" (
    "token_hash" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" "ScopeKind" NOT NULL,
    "key" TEXT NOT NULL,
    "plan" JSONB NOT NULL,
    "plan_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    "used_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kill_tokens_pkey" PRIMARY KEY ("token_hash")
);

-- CreateTable
CREATE TABLE "rollbacks" (
    "id" UUID NOT NULL,
    "epoch" BIGINT NOT NULL,
    "seq" BIGINT NOT NULL,
    "action_id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "undo" JSONB NOT NULL,
    "status" "RollbackStatus" NOT NULL,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(6),

    CONSTRAINT "rollbacks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "control_events_created_at_idx" ON "control_events"("created_at");

-- CreateIndex
CREATE INDEX "rollbacks_agent_id_seq_idx" ON "rollbacks"("agent_id", "seq");

-- CreateIndex
CREATE INDEX "rollbacks_epoch_idx" ON "rollbacks"("epoch");

-- AddForeignKey
ALTER TABLE "control_acks" ADD CONSTRAINT "control_acks_epoch_fkey" FOREIGN KEY ("epoch") REFERENCES "control_events"("epoch") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollbacks" ADD CONSTRAINT "rollbacks_epoch_fkey" FOREIGN KEY ("epoch") REFERENCES "control_events"("epoch") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written: one sequence numbers everything an agent's event stream carries (control
-- epochs, rollback orders, approval decisions), so Last-Event-ID replays in order.
CREATE SEQUENCE warden_stream_seq;
CREATE INDEX "actions_agent_decided_seq_idx" ON "actions" ("agent_id", "decided_seq") WHERE decided_seq IS NOT NULL;

-- Each agent's effective control state: the strictest of its fleet, team and agent scopes
-- (enum order running < paused < suspended < killed), the reason given for it, and the latest
-- epoch among them. One definition for the guardrail, heartbeats, claims and the console.
CREATE VIEW agent_control AS
SELECT a.id AS agent_id,
       coalesce(s.state, 'running') AS state,
       s.reason,
       coalesce(s.epoch, 0) AS epoch
  FROM agents a
  LEFT JOIN LATERAL (
    SELECT (array_agg(cs.state ORDER BY cs.state DESC))[1] AS state,
           (array_agg(cs.reason ORDER BY cs.state DESC))[1] AS reason,
           max(cs.epoch) AS epoch
      FROM control_scopes cs
     WHERE (cs.kind = 'fleet' AND cs.key = 'fleet')
        OR (cs.kind = 'team' AND cs.key = a.team)
        OR (cs.kind = 'agent' AND cs.key = a.id::text)
  ) s ON true;
