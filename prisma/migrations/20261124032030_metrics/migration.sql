-- CreateEnum
CREATE TYPE "BudgetScope" AS ENUM ('agent', 'team');

-- CreateEnum
CREATE TYPE "BudgetPeriod" AS ENUM ('day', 'month');

-- CreateEnum
CREATE TYPE "ScoreSource" AS ENUM ('human', 'evaluator');

-- CreateTable
CREATE TABLE "usage_events" (
    "id" BIGSERIAL NOT NULL,
    "agent_id" UUID NOT NULL,
    "task_id" UUID,
    "action_id" UUID,
    "model" TEXT NOT NULL,
    "input_tokens" INTEGER NOT NULL,
    "output_tokens" INTEGER NOT NULL,
    "reported_usd" DECIMAL(14,6),
    "usd" DECIMAL(14,6),
    "at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_prices" (
    "model" TEXT NOT NULL,
    "input_usd_per_million" DECIMAL(12,6) NOT NULL,
    "output_usd_per_million" DECIMAL(12,6) NOT NULL,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "model_prices_pkey" PRIMARY KEY ("model")
);

-- CreateTable
CREATE TABLE "budgets" (
    "id" UUID NOT NULL,
    "scope" "BudgetScope" NOT NULL,
    "target" TEXT NOT NULL,
    "period" "BudgetPeriod" NOT NULL,
    "limit_usd" DECIMAL(12,4) NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "budgets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "spend_counters" (
    "agent_id" UUID NOT NULL,
    "period" "BudgetPeriod" NOT NULL,
    "period_start" DATE NOT NULL,
    "usd" DECIMAL(14,6) NOT NULL DEFAULT 0,

    CONSTRAINT "spend_counters_pkey" PRIMARY KEY ("agent_id","period","period_start")
);

-- CreateTable
CREATE TABLE "metric_alerts" (
    "id" BIGSERIAL NOT NULL,
    "rule" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "period_key" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "metric_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scores" (
    "id" UUID NOT NULL,
    "task_id" UUID,
    "action_id" UUID,
    "agent_id" UUID,
    "name" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "comment" TEXT,
    "source" "ScoreSource" NOT NULL,
    "author_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scores_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "metric_hours" (
    "hour" TIMESTAMPTZ(6) NOT NULL,
    "agent_id" UUID NOT NULL,
    "decisions" INTEGER NOT NULL DEFAULT 0,
    "auto_execute" INTEGER NOT NULL DEFAULT 0,
    "execute_with_notification" INTEGER NOT NULL DEFAULT 0,
    "require_approval" INTEGER NOT NULL DEFAULT 0,
    "deny" INTEGER NOT NULL DEFAULT 0,
    "approved_unchanged" INTEGER NOT NULL DEFAULT 0,
    "edited" INTEGER NOT NULL DEFAULT 0,
    "rejected" INTEGER NOT NULL DEFAULT 0,
    "expired" INTEGER NOT NULL DEFAULT 0,
    "pending" INTEGER NOT NULL DEFAULT 0,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "repeated_failures" INTEGER NOT NULL DEFAULT 0,
    "rubber_stamps" INTEGER NOT NULL DEFAULT 0,
    "approval_latency" INTEGER[],
    "cost_usd" DECIMAL(14,6) NOT NULL DEFAULT 0,

    CONSTRAINT "metric_hours_pkey" PRIMARY KEY ("hour","agent_id")
);

-- CreateTable
CREATE TABLE "metric_tool_days" (
    "day" DATE NOT NULL,
    "agent_id" UUID NOT NULL,
    "tool" TEXT NOT NULL,
    "actions" INTEGER NOT NULL,

    CONSTRAINT "metric_tool_days_pkey" PRIMARY KEY ("day","agent_id","tool")
);

-- CreateTable
CREATE TABLE "metric_calibration_days" (
    "day" DATE NOT NULL,
    "agent_id" UUID NOT NULL,
    "bin" INTEGER NOT NULL,
    "n" INTEGER NOT NULL,
    "successes" INTEGER NOT NULL,
    "sum_conf" DOUBLE PRECISION NOT NULL,
    "sum_conf_sq" DOUBLE PRECISION NOT NULL,
    "sum_conf_success" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "metric_calibration_days_pkey" PRIMARY KEY ("day","agent_id","bin")
);

-- CreateTable
CREATE TABLE "usage_days" (
    "day" DATE NOT NULL,
    "agent_id" UUID NOT NULL,
    "model" TEXT NOT NULL,
    "events" INTEGER NOT NULL,
    "input_tokens" BIGINT NOT NULL,
    "output_tokens" BIGINT NOT NULL,
    "usd" DECIMAL(16,6) NOT NULL,

    CONSTRAINT "usage_days_pkey" PRIMARY KEY ("day","agent_id","model")
);

-- CreateTable
CREATE TABLE "metric_rollup_state" (
    "name" TEXT NOT NULL,
    "watermark" TIMESTAMPTZ(6) NOT NULL,
    "last_id" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "metric_rollup_state_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "drift_events" (
    "id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "statistic" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "window_start" TIMESTAMPTZ(6) NOT NULL,
    "baseline_start" TIMESTAMPTZ(6) NOT NULL,
    "detected_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "drift_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "usage_events_agent_id_at_idx" ON "usage_events"("agent_id", "at");

-- CreateIndex
CREATE INDEX "usage_events_task_id_idx" ON "usage_events"("task_id");

-- CreateIndex
CREATE INDEX "usage_events_at_idx" ON "usage_events"("at");

-- CreateIndex
CREATE UNIQUE INDEX "budgets_scope_target_period_key" ON "budgets"("scope", "target", "period");

-- CreateIndex
CREATE INDEX "metric_alerts_at_idx" ON "metric_alerts"("at");

-- CreateIndex
CREATE UNIQUE INDEX "metric_alerts_rule_subject_period_key_key" ON "metric_alerts"("rule", "subject", "period_key");

-- CreateIndex
CREATE INDEX "scores_agent_id_created_at_idx" ON "scores"("agent_id", "created_at");

-- CreateIndex
CREATE INDEX "scores_created_at_idx" ON "scores"("created_at");

-- CreateIndex
CREATE INDEX "scores_task_id_idx" ON "scores"("task_id");

-- CreateIndex
CREATE INDEX "scores_action_id_idx" ON "scores"("action_id");

-- CreateIndex
CREATE INDEX "metric_hours_agent_id_hour_idx" ON "metric_hours"("agent_id", "hour");

-- CreateIndex
CREATE INDEX "metric_tool_days_agent_id_day_idx" ON "metric_tool_days"("agent_id", "day");

-- CreateIndex
CREATE INDEX "metric_calibration_days_agent_id_day_idx" ON "metric_calibration_days"("agent_id", "day");

-- CreateIndex
CREATE INDEX "usage_days_agent_id_day_idx" ON "usage_days"("agent_id", "day");

-- CreateIndex
CREATE INDEX "drift_events_detected_at_idx" ON "drift_events"("detected_at");

-- CreateIndex
CREATE INDEX "drift_events_agent_id_detected_at_idx" ON "drift_events"("agent_id", "detected_at");

-- CreateIndex
CREATE INDEX "actions_updated_at_idx" ON "actions"("updated_at");
