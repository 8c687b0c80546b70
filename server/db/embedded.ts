import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export type EmbeddedDatabase = { url: string; dataDir: string; stop: () => Promise<void> };

/**
 * Starts PostgreSQL compiled to WebAssembly (PGlite) on a local folder and serves it over the
 * PostgreSQL protocol on 127.0.0.1, so Prisma and `pg` use it exactly like a real server.
 * PGlite runs one backend: the socket server multiplexes connections and keeps each
 * transaction exclusive, and LISTEN/NOTIFY does not cross connections (see server/events).
 */
export async function startEmbeddedDatabase(dataDir: string, port = 0): Promise<EmbeddedDatabase> {
  const dir = path.resolve(dataDir, "pgdata");
  await mkdir(dir, { recursive: true });
  const pglite = await PGlite.create({ dataDir: dir, extensions: { pg_trgm } });
  const server = new PGLiteSocketServer({ db: pglite, host: "127.0.0.1", port, maxConnections: 64 });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgresql://postgres:postgres@${address}/postgres?sslmode=disable`,
    dataDir: dir,
    stop: async () => {
      await server.stop();
      await pglite.close();
    },
  };
}
