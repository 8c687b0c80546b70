-- CreateTable
CREATE TABLE "quality_days" (
    "day" DATE NOT NULL,
    "agent_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "source" "ScoreSource" NOT NULL,
    "n" INTEGER NOT NULL,
    "total" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "quality_days_pkey" PRIMARY KEY ("day","agent_id","name","source")
);

-- CreateIndex
CREATE INDEX "quality_days_agent_id_day_idx" ON "quality_days"("agent_id", "day");

-- Hand-written: the trigger that keeps quality_days exact. A score's old value leaves its day and
-- its new value joins (a person's re-rating is an UPDATE that also moves created_at).
CREATE FUNCTION scores_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE quality_days SET n = n - 1, total = total - OLD.value
     WHERE day = (OLD.created_at AT TIME ZONE 'UTC')::date
       AND agent_id = coalesce(OLD.agent_id, '00000000-0000-0000-0000-000000000000'::uuid)
       AND name = OLD.name AND source = OLD.source;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO quality_days (day, agent_id, name, source, n, total)
    VALUES ((NEW.created_at AT TIME ZONE 'UTC')::date, coalesce(NEW.agent_id, '00000000-0000-0000-0000-000000000000'::uuid), NEW.name, NEW.source, 1, NEW.value)
    ON CONFLICT (day, agent_id, name, source) DO UPDATE SET n = quality_days.n + 1, total = quality_days.total + EXCLUDED.total;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER scores_roll_up AFTER INSERT OR UPDATE OR DELETE ON scores FOR EACH ROW EXECUTE FUNCTION scores_roll_up();

INSERT INTO quality_days (day, agent_id, name, source, n, total)
SELECT (created_at AT TIME ZONE 'UTC')::date, coalesce(agent_id, '00000000-0000-0000-0000-000000000000'::uuid), name, source, count(*), sum(value)
  FROM scores GROUP BY 1, 2, 3, 4;
