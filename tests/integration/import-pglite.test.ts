import { createHash, randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, describe, expect, it } from "vitest";
import { importPglite } from "../../scripts/import-pglite";
import { verifyAuditChain } from "../../server/audit/verify-chain";
import { startEmbeddedDatabase } from "../../server/db/embedded";
import { PrismaClient } from "../../server/db/generated/client";
import { hasEmbeddedCluster, pgliteDataDir } from "../../server/launcher/data-folder";

const MIGRATIONS = path.join(process.cwd(), "prisma", "migrations");
const LAST_PGLITE_MIGRATION = "20261124035756_quality_rollup";

/**
 * A data folder as Warden's PGlite versions left it: `.warden/pgdata`, migrated as far as the
 * last version that used PGlite, with a user and sealed audit rows.
 */
async function legacyDataFolder(): Promise<string> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "warden-pglite-"));
  chmodSync(dataDir, 0o755); // as a project folder is, so the server's account can reach it
  const pglite = await PGlite.create({ dataDir: path.join(dataDir, "pgdata"), extensions: { pg_trgm } });
  const names = readdirSync(MIGRATIONS)
    .filter((n) => existsSync(path.join(MIGRATIONS, n, "migration.sql")))
    .sort();
  await pglite.exec(`CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
  // PGlite served Warden until 20261124035756_quality_rollup (commit 0088de5 brought the real
  // PostgreSQL): no PGlite folder holds a later migration; the import applies those.
  for (const name of names.filter((n) => n <= LAST_PGLITE_MIGRATION)) {
    const sql = readFileSync(path.join(MIGRATIONS, name, "migration.sql"), "utf8");
    await pglite.exec(sql);
    await pglite.query(`INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`, [
      randomUUID(),
      createHash("sha256").update(sql).digest("hex"),
      name,
    ]);
  }
  await pglite.query(`INSERT INTO users (id, email, password_hash, role, updated_at) VALUES ($1, 'old-admin@warden.local', 'x', 'admin', now())`, [
    randomUUID(),
  ]);
  for (let i = 0; i < 5; i++) {
    await pglite.query(`INSERT INTO audit_log (actor_type, actor_label, verb, data) VALUES ('system', 'pglite-era', $1, '{}'::jsonb)`, [`legacy.verb-${i}`]);
  }
  await pglite.query("SELECT audit_seal(100)");
  await pglite.close();
  return dataDir;
}

describe("import-pglite", () => {
  const folders: string[] = [];
  afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("brings an old PGlite data folder over to the embedded PostgreSQL with every row, a chain that verifies, and the newer migrations", async () => {
    const dataDir = await legacyDataFolder();
    folders.push(dataDir);
    expect(pgliteDataDir(dataDir)).not.toBeNull();

    expect(await importPglite(dataDir)).toBe(0);
    expect(pgliteDataDir(dataDir)).toBeNull(); // renamed, kept
    expect(readdirSync(dataDir).some((name) => name.startsWith("pgdata-imported-"))).toBe(true);
    expect(hasEmbeddedCluster(dataDir)).toBe(true);

    const embedded = await startEmbeddedDatabase(dataDir);
    const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: embedded.url }) });
    try {
      expect(await db.user.findMany({ select: { email: true } })).toEqual([{ email: "old-admin@warden.local" }]);
      const legacyRows = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM audit_log WHERE actor_label = 'pglite-era'`;
      expect(legacyRows[0]!.n).toBe(5);
      const report = await verifyAuditChain(db);
      expect(report).toMatchObject({ ok: true, firstBroken: null });
      const migrations = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`;
      expect(migrations[0]!.n).toBe(readdirSync(MIGRATIONS).filter((n) => existsSync(path.join(MIGRATIONS, n, "migration.sql"))).length);
      // The audit log's guards came over with it: the database still refuses to edit a row.
      await expect(db.$executeRaw`UPDATE audit_log SET verb = 'forged' WHERE actor_label = 'pglite-era'`).rejects.toThrow();
    } finally {
      await db.$disconnect();
      await embedded.stop();
    }
  }, 120_000);

  it("refuses a folder with nothing to import", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "warden-pglite-"));
    folders.push(empty);
    expect(await importPglite(empty)).toBe(2);
  });
});
