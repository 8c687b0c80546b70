import pg from "pg";
import { requireDatabaseUrl } from "../env";

// A small plain `pg` pool beside Prisma's, for the libraries that want one (rate limiting) and
// for LISTEN connections; kept on globalThis like the Prisma client.
const holder = globalThis as unknown as { wardenPgPool?: pg.Pool };

export function pgPool(): pg.Pool {
  return (holder.wardenPgPool ??= new pg.Pool({ connectionString: requireDatabaseUrl(), max: 5 }));
}
