-- CreateTable
CREATE TABLE "policy_shadows" (
    "id" UUID NOT NULL,
    "document" JSONB NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "base_version" INTEGER NOT NULL,
    "author_id" TEXT,
    "author_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(6),
    "outcome" TEXT,
    "promoted_to" INTEGER,

    CONSTRAINT "policy_shadows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shadow_decisions" (
    "id" UUID NOT NULL,
    "shadow_id" UUID NOT NULL,
    "action_id" UUID NOT NULL,
    "enforced" "Decision" NOT NULL,
    "shadow_decision" "Decision" NOT NULL,
    "reasons" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shadow_decisions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "policy_shadows_ended_at_idx" ON "policy_shadows"("ended_at");

-- CreateIndex
CREATE INDEX "shadow_decisions_shadow_id_created_at_idx" ON "shadow_decisions"("shadow_id", "created_at");

-- AddForeignKey
ALTER TABLE "shadow_decisions" ADD CONSTRAINT "shadow_decisions_shadow_id_fkey" FOREIGN KEY ("shadow_id") REFERENCES "policy_shadows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: at most one shadow runs at a time (a second start is a conflict, not a second shadow).
CREATE UNIQUE INDEX "policy_shadows_one_running" ON "policy_shadows" ((true)) WHERE "ended_at" IS NULL;
