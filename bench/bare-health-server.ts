import { createServer } from "node:http";
import { db } from "../server/db/client";
import { sqlRows } from "../server/db/direct-sql";
import { Prisma } from "../server/db/generated/client";

/**
 * The health benchmark's baseline: a bare node:http server answering what GET /api/health
 * answers, with the same query through the same database client, and nothing else.
 */
const server = createServer((_request, response) => {
  sqlRows(db, Prisma.sql`SELECT 1`).then(
    () => {
      const body = JSON.stringify({ ok: true, database: "up", pid: process.pid });
      response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      response.end(body);
    },
    () => {
      response.writeHead(503);
      response.end();
    },
  );
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("ready"));
process.once("SIGTERM", () => process.exit(0));
