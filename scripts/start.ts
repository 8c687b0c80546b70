import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensureNextBuild, ensurePrismaClient } from "./prepare";

/**
 * `npm start`: the one command that runs Warden. It starts the embedded PostgreSQL when
 * DATABASE_URL is unset, applies pending migrations, creates the first admin, builds the
 * console when the sources changed, then serves Next.js on PORT (11480).
 */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 11480);
  const host = process.env.HOST ?? "0.0.0.0";
  const dataDir = path.resolve(process.env.WARDEN_DATA_DIR ?? ".warden");
  let stopEmbedded: (() => Promise<void>) | null = null;

  ensurePrismaClient();

  if (!process.env.DATABASE_URL) {
    const { startEmbeddedDatabase } = await import("../server/db/embedded");
    const embedded = await startEmbeddedDatabase(dataDir, Number(process.env.WARDEN_EMBEDDED_DB_PORT ?? 0));
    process.env.DATABASE_URL = embedded.url;
    process.env.WARDEN_EMBEDDED_DB = "1";
    // The CLI (`npm run warden`) finds the running embedded database here instead of opening
    // the data folder a second time.
    const urlFile = path.join(dataDir, "embedded-url");
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(urlFile, embedded.url);
    stopEmbedded = async () => {
      rmSync(urlFile, { force: true });
      await embedded.stop();
    };
    console.log(`warden: embedded PostgreSQL (PGlite) with its data in ${embedded.dataDir}`);
    console.log("warden: set DATABASE_URL to use your own PostgreSQL server instead");
  }

  // Imported only now: these modules read DATABASE_URL when they load.
  const { migrate } = await import("../server/db/migrate");
  const migration = await migrate(process.env.DATABASE_URL!);
  console.log(
    migration.applied.length > 0
      ? `warden: applied migrations ${migration.applied.join(", ")}`
      : `warden: database schema up to date (${migration.alreadyApplied} migrations)`,
  );

  const { bootstrapInstance } = await import("../server/bootstrap/bootstrap-instance");
  const { authSecret, createdAdmin } = await bootstrapInstance();
  if (createdAdmin) {
    const lines = [
      "First start: Warden created an admin account.",
      `  email:    ${createdAdmin.email}`,
      createdAdmin.generated ? `  password: ${createdAdmin.password}   (shown once: keep it)` : "  password: the one in WARDEN_ADMIN_PASSWORD",
    ];
    console.log(`\n${lines.join("\n")}\n`);
  }

  ensureNextBuild();

  const child = spawn(
    process.execPath,
    [path.resolve("node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", host],
    {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, AUTH_SECRET: authSecret, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    },
  );

  // Stop the server first and wait for it, so the port is free and the database closes last.
  let stopping = false;
  const childExited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (child.exitCode === null) child.kill("SIGTERM");
    await childExited;
    if (stopEmbedded) await stopEmbedded().catch(() => undefined);
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  void childExited.then((code) => shutdown(code));

  await waitUntilServing(port);
  console.log(`\nwarden: ready at http://localhost:${port}  (agents: http://localhost:${port}/api/v1)\n`);
}

async function waitUntilServing(port: number): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Warden did not answer on port ${port} within a minute`);
}

main().catch((error: unknown) => {
  console.error("warden: failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
