-- AlterTable
ALTER TABLE "webhook_deliveries" ADD COLUMN     "channel" TEXT NOT NULL DEFAULT 'webhook',
ALTER COLUMN "webhook_id" DROP NOT NULL;

-- CreateTable
CREATE TABLE "notification_channels" (
    "kind" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "events" TEXT[],
    "settings" JSONB NOT NULL,
    "sealed_secrets" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    "updated_by" TEXT,

    CONSTRAINT "notification_channels_pkey" PRIMARY KEY ("kind")
);

-- CreateTable
CREATE TABLE "slack_messages" (
    "action_id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "ts" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "slack_messages_pkey" PRIMARY KEY ("action_id")
);

-- A webhook row names its webhook; a channel's message (slack, email) names none.
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_channel_target"
  CHECK ((channel = 'webhook') = (webhook_id IS NOT NULL));
