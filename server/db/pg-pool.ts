import pg from "pg";
import { env } from "../env";

// The process's one pool of connections: Prisma's driver adapter runs on it (server/db/client.ts),
// and so do the statements that skip Prisma (direct-sql.ts), the rate limiters and the batched
// NOTIFYs. Kept on globalThis like the Prisma client. It connects on first query, so importing
// it (as `next build` does while it collects pages) needs no database.
const holder = globalThis as unknown as { wardenPgPool?: pg.Pool };

export function pgPool(): pg.Pool {
  return (holder.wardenPgPool ??= new pg.Pool({ connectionString: env.DATABASE_URL, max: env.WARDEN_DB_POOL_SIZE }));
}

/** Closes the pool (a command that is done with the database); the next use opens a new one. */
export async function closePgPool(): Promise<void> {
  const pool = holder.wardenPgPool;
  holder.wardenPgPool = undefined;
  await pool?.end();
}
