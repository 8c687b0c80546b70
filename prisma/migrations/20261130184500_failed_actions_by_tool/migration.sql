-- tool.failuresLastDay (policy/rule-context.ts): a tool's failed actions of the last 24 hours.
-- Partial, so it holds failed actions only: the count reads the tool's failures of the day, not
-- the tool's day of actions ((tool, created_at)) nor the fleet's day of failures ((status,
-- created_at)). Hand-written: schema.prisma cannot express a partial index.
CREATE INDEX "actions_failed_tool_created_idx" ON "actions" ("tool", "created_at") WHERE status = 'failed';
