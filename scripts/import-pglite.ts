import { renameSync } from "node:fs";
import pg from "pg";

/**
 * `npm run warden -- import-pglite`: brings the database of an earlier Warden, which ran
 * PostgreSQL compiled to WebAssembly (PGlite) in `.warden/pgdata`, over to the embedded
 * PostgreSQL server. PGlite's own pg_dump writes the whole database (schema, rows, sequences,
 * then indexes and triggers, so the audit log's guards are created after its rows are in); it is
 * restored in one transaction into the new, empty `warden` database; the migrations written
 * since then are applied; every table's row count is compared. The old folder is renamed, not
 * deleted.
 */
export async function importPglite(dataDir: string): Promise<number> {
  const { pgliteDataDir, hasEmbeddedCluster, lockDataFolder, DataFolderBusy } = await import("../server/launcher/data-folder");
  const legacy = pgliteDataDir(dataDir);
  if (!legacy) {
    console.error(`warden: no PGlite database in ${dataDir} (looked for pgdata/PG_VERSION); nothing to import`);
    return 2;
  }
  let lock;
  try {
    lock = lockDataFolder(dataDir, { kind: "cli" });
  } catch (error) {
    if (error instanceof DataFolderBusy) {
      console.error(`warden: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const hadCluster = hasEmbeddedCluster(dataDir);
  const { startEmbeddedDatabase } = await import("../server/db/embedded");
  const embedded = await startEmbeddedDatabase(dataDir);
  const target = new pg.Client({ connectionString: embedded.url });
  try {
    await target.connect();
    const { rows } = await target.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
    if (hadCluster && rows[0]!.n > 0) {
      console.error(`warden: the embedded database in ${embedded.clusterDir} already holds Warden's tables; move it away to import into a new one`);
      return 2;
    }

    console.log(`warden: reading ${legacy} (PGlite)…`);
    const { PGlite } = await import("@electric-sql/pglite");
    const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
    const { pgDump } = await import("@electric-sql/pglite-tools/pg_dump");
    const source = await PGlite.create({ dataDir: legacy, extensions: { pg_trgm } });
    const dump = await (await pgDump({ pg: source, args: ["--no-owner", "--no-privileges"] })).text();
    const counts = await tableCounts((sql) => source.query<{ table: string; n: number }>(sql).then((r) => r.rows));
    await source.close();

    console.log(`warden: restoring ${Object.keys(counts).length} tables into the embedded PostgreSQL…`);
    await target.query("BEGIN");
    try {
      await target.query(dump);
      await target.query("COMMIT");
    } catch (error) {
      await target.query("ROLLBACK");
      throw error;
    }
    // The dump sets an empty search_path for its session; later statements need the default.
    await target.query("RESET search_path");

    const { migrate } = await import("../server/db/migrate");
    const migration = await migrate(embedded.url);
    if (migration.applied.length > 0) console.log(`warden: applied the migrations written since: ${migration.applied.join(", ")}`);

    const restored = await tableCounts((sql) => target.query<{ table: string; n: number }>(sql).then((r) => r.rows));
    const differing = Object.entries(counts).filter(([table, n]) => restored[table] !== n && table !== "_prisma_migrations");
    if (differing.length > 0) {
      console.error(`warden: row counts differ after the import: ${differing.map(([t, n]) => `${t} ${n} → ${restored[t]}`).join(", ")}`);
      return 1;
    }
    const moved = `${legacy}-imported-${new Date().toISOString().slice(0, 10)}`;
    renameSync(legacy, moved);
    const rowsTotal = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`warden: imported ${rowsTotal} rows; the PGlite folder is kept as ${moved} (delete it once you are satisfied)`);
    console.log("warden: `npm start` now runs on the embedded PostgreSQL");
    return 0;
  } finally {
    await target.end().catch(() => undefined);
    await embedded.stop();
    lock.release();
  }
}

/** Every public table's row count, by the query runner given. */
async function tableCounts(query: (sql: string) => Promise<{ table: string; n: number }[]>): Promise<Record<string, number>> {
  const tables = await query(`SELECT tablename AS "table", 0 AS n FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  if (tables.length === 0) return {};
  const union = tables.map(({ table }) => `SELECT '${table}' AS "table", count(*)::int AS n FROM public."${table}"`).join(" UNION ALL ");
  return Object.fromEntries((await query(union)).map(({ table, n }) => [table, Number(n)]));
}
