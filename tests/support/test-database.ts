import pg from "pg";

const LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres";

/**
 * Where the suites get their database: the server in DATABASE_URL if set, else the local
 * PostgreSQL on 127.0.0.1:5432, each time as a freshly created database of the given name.
 * Returns null when no server answers, and the caller falls back to the embedded database,
 * so a fresh machine without PostgreSQL still runs every suite.
 * WARDEN_TEST_NAMESPACE, when set, is appended to every name so that two checkouts
 * (say, two git worktrees) can run their suites against one server at the same time.
 */
export async function createFreshDatabase(baseName: string): Promise<string | null> {
  const name = `${baseName}${process.env.WARDEN_TEST_NAMESPACE ?? ""}`;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`test database name ${name} must be lowercase letters, digits and _`);
  const serverUrl = process.env.DATABASE_URL ?? LOCAL_SERVER;
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
