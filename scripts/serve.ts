import { runServer } from "../server/http/server";

/**
 * The server process `npm start`'s launcher (scripts/start.ts) runs once the database is up:
 * the agent API and the console on one port. Not meant to be run by hand: the launcher sets
 * DATABASE_URL, AUTH_SECRET and the rest.
 */
const port = Number(process.env.PORT ?? 11480);
const host = process.env.HOST ?? "0.0.0.0";
runServer({ port, host, dir: process.cwd() }).catch((error: unknown) => {
  console.error("warden: the server could not start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
