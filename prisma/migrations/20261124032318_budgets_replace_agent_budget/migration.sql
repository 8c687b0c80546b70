-- Budgets live in one place: each agent's old daily budget becomes an agent/day row of
-- `budgets` before its column goes (hand-written; Prisma only generates the DROP).
INSERT INTO "budgets" ("id", "scope", "target", "period", "limit_usd", "created_by", "created_at", "updated_at")
SELECT gen_random_uuid(), 'agent', a."id"::text, 'day', a."budget_usd_per_day", 'migration', now(), now()
  FROM "agents" a
 WHERE a."budget_usd_per_day" IS NOT NULL
ON CONFLICT ("scope", "target", "period") DO NOTHING;

-- AlterTable
ALTER TABLE "agents" DROP COLUMN "budget_usd_per_day";
