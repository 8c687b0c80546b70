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
