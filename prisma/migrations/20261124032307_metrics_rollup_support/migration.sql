-- AlterTable
ALTER TABLE "metric_hours" ADD COLUMN "plan_changes" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "recalls" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "warned" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "metric_days" (
    "day" DATE NOT NULL,
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
    "recalls" INTEGER NOT NULL DEFAULT 0,
    "warned" INTEGER NOT NULL DEFAULT 0,
    "plan_changes" INTEGER NOT NULL DEFAULT 0,
    "approval_latency" INTEGER[],
    "cost_usd" DECIMAL(14,6) NOT NULL DEFAULT 0,

    CONSTRAINT "metric_days_pkey" PRIMARY KEY ("day","agent_id")
);

-- CreateIndex
CREATE INDEX "metric_days_agent_id_day_idx" ON "metric_days"("agent_id", "day");

-- CreateTable
CREATE TABLE "metric_calibration_fleet_days" (
    "day" DATE NOT NULL,
    "bin" INTEGER NOT NULL,
    "n" INTEGER NOT NULL,
    "successes" INTEGER NOT NULL,
    "sum_conf" DOUBLE PRECISION NOT NULL,
    "sum_conf_sq" DOUBLE PRECISION NOT NULL,
    "sum_conf_success" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "metric_calibration_fleet_days_pkey" PRIMARY KEY ("day","bin")
);

-- CreateIndex
CREATE INDEX "memory_recalls_at_idx" ON "memory_recalls"("at");

-- Hand-written: every change to an action moves its updated_at, whoever writes it (Prisma sets
-- @updatedAt, but the decision and approval statements are raw SQL), because the metrics rollup
-- finds the hours to recompute by actions.updated_at.
CREATE FUNCTION actions_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;
CREATE TRIGGER actions_touch_updated_at BEFORE UPDATE ON actions FOR EACH ROW EXECUTE FUNCTION actions_touch_updated_at();
