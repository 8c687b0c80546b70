-- AlterTable
ALTER TABLE "users" ADD COLUMN     "oidc_subject" TEXT,
ALTER COLUMN "password_hash" DROP NOT NULL,
ALTER COLUMN "role" DROP NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "users_oidc_subject_key" ON "users"("oidc_subject");
