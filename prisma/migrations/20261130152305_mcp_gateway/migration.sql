-- AlterTable
ALTER TABLE "tools" ADD COLUMN     "default_confidence" DOUBLE PRECISION,
ADD COLUMN     "mcp_server" TEXT,
ADD COLUMN     "resource_argument" TEXT;

-- CreateTable
CREATE TABLE "mcp_servers" (
    "name" TEXT NOT NULL,
    "transport" TEXT NOT NULL,
    "command" TEXT,
    "args" TEXT[],
    "url" TEXT,
    "env_names" TEXT[],
    "header_names" TEXT[],
    "sealed_secrets" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "call_timeout_seconds" INTEGER NOT NULL DEFAULT 40,
    "tools" JSONB NOT NULL DEFAULT '[]',
    "discovered_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    "updated_by" TEXT NOT NULL,

    CONSTRAINT "mcp_servers_pkey" PRIMARY KEY ("name")
);
