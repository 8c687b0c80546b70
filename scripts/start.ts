import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { ensureNextBuild, ensurePrismaClient, SERVER_BUNDLE } from "./prepare";

/**
 * `npm start`: the one command that runs Warden. With DATABASE_URL unset it runs the embedded
 * PostgreSQL on the data folder (WARDEN_DATA_DIR, `.warden/`), holding the folder's lock; then
 * it applies pending migrations, creates the first admin, builds the console when the sources
 * changed, and serves Next.js on PORT (11480). It says "ready" only once its own server answers.
 *
 * Ctrl-C (or SIGTERM) stops the server, whose event streams and long-polls end at once, then the
 * database, within about 5 s; a second Ctrl-C forces both down.
 */
const FORCE_AFTER_MS = 3_000;
/** One Ctrl-C reaches this process more than once (from the terminal, and relayed by npm). */
const SAME_SIGNAL_MS = 250;

type Database = { url: string; stop: (mode?: "fast" | "immediate") => Promise<void>; exited: Promise<number | null> | null };

/** A console build running beside the database's start; it does not outlive the launcher. */
let build: ReturnType<typeof ensureNextBuild> | null = null;

function stopBuild(): void {
  if (build?.child && build.child.exitCode === null) build.child.kill("SIGTERM");
}

function fail(message: string): never {
  console.error(`warden: ${message}`);
  stopBuild();
  process.exit(1);
}

async function openDatabase(dataDir: string, port: number): Promise<Database> {
  const { noteExternalServer, lockDataFolder, pgliteDataDir, hasEmbeddedCluster, DataFolderBusy } = await import("../server/launcher/data-folder");
  if (process.env.DATABASE_URL) {
    const removeNote = noteExternalServer(dataDir, port);
    return { url: process.env.DATABASE_URL, stop: async () => removeNote(), exited: null };
  }
  let lock;
  try {
    lock = lockDataFolder(dataDir, { kind: "server", port });
  } catch (error) {
    if (error instanceof DataFolderBusy) fail(error.message);
    throw error;
  }
  const legacy = pgliteDataDir(dataDir);
  if (legacy && !hasEmbeddedCluster(dataDir)) {
    lock.release();
    fail(
      `${legacy} holds a database of an earlier Warden (PGlite). Bring it over to the embedded PostgreSQL first:\n` +
        `  npm run warden -- import-pglite${process.env.WARDEN_DATA_DIR ? ` (with WARDEN_DATA_DIR=${process.env.WARDEN_DATA_DIR})` : ""}`,
    );
  }
  const { startEmbeddedDatabase } = await import("../server/db/embedded");
  const embedded = await startEmbeddedDatabase(dataDir, { port: Number(process.env.WARDEN_EMBEDDED_DB_PORT ?? 0) });
  lock.update({ databaseUrl: embedded.url });
  console.log(`warden: embedded PostgreSQL (pid ${embedded.pid}, 127.0.0.1:${embedded.port}) with its data in ${embedded.clusterDir}`);
  console.log("warden: set DATABASE_URL to use your own PostgreSQL server instead");
  return {
    url: embedded.url,
    exited: embedded.exited,
    stop: async (mode) => {
      await embedded.stop(mode);
      lock.release();
    },
  };
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 11480);
  const host = process.env.HOST ?? "0.0.0.0";
  const dataDir = path.resolve(process.env.WARDEN_DATA_DIR ?? ".warden");

  const { portProblem } = await import("../server/launcher/port");
  const problem = await portProblem(port, host);
  if (problem) fail(`${problem} (another Warden, or another program); set PORT to serve on another port`);

  ensurePrismaClient();
  // The build (when one is needed) runs while the database starts and migrates.
  const building = (build = ensureNextBuild());
  building.done.catch(() => undefined); // awaited below; a failure before then is reported there
  const database = await openDatabase(dataDir, port);
  let child: ChildProcess | null = null;

  // Stop the server first and wait for it, so the port is free and the database closes last.
  let firstSignalAt = 0;
  let stopping: Promise<void> | null = null;
  const stop = (code: number, force = false): Promise<void> => {
    const childExit = () =>
      !child || child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child!.once("exit", () => resolve()));
    if (force) {
      stopBuild();
      child?.kill("SIGKILL");
      return childExit()
        .then(() => database.stop("immediate"))
        .finally(() => process.exit(code));
    }
    stopping ??= (async () => {
      stopBuild();
      if (child && child.exitCode === null) {
        child.kill("SIGTERM");
        const forced = setTimeout(() => child?.kill("SIGKILL"), FORCE_AFTER_MS);
        await childExit();
        clearTimeout(forced);
      }
      await database.stop("fast").catch((error: unknown) => console.error("warden: stopping the database:", error));
      console.log("warden: stopped");
      process.exit(code);
    })();
    return stopping;
  };
  const onSignal = () => {
    const now = Date.now();
    if (firstSignalAt === 0) {
      firstSignalAt = now;
      console.log("\nwarden: stopping (Ctrl-C again to force)…");
      void stop(0);
    } else if (now - firstSignalAt > SAME_SIGNAL_MS) {
      console.log("warden: forced to stop");
      void stop(130, true);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  void database.exited?.then((code) => {
    if (stopping) return;
    console.error(`warden: the embedded PostgreSQL exited unexpectedly (code ${code}); see ${path.join(dataDir, "postgres.log")}`);
    void stop(1);
  });

  // The first admin's sign-in is printed last, beside "ready", so it is not lost in the build's
  // output that runs meanwhile (or, if the start fails after creating it, with the failure).
  let firstAdmin: string | null = null;
  const showFirstAdmin = () => firstAdmin && console.log(`\n${firstAdmin}`);
  try {
    // Imported only now: these modules read DATABASE_URL when they load.
    process.env.DATABASE_URL = database.url;
    const { migrate } = await import("../server/db/migrate");
    const migration = await migrate(database.url);
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
      firstAdmin = lines.join("\n");
    }
    // The launcher's own connections are done with; the server opens its own pools.
    const { disconnectDatabase } = await import("../server/db/client");
    await disconnectDatabase();

    await building.done;

    // scripts/serve.ts, compiled with the build (prepare.ts).
    child = spawn(process.execPath, [SERVER_BUNDLE], {
      stdio: ["ignore", "inherit", "inherit"],
      env: {
        ...process.env,
        PORT: String(port),
        HOST: host,
        AUTH_SECRET: authSecret,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        WARDEN_LAUNCHER_PID: String(process.pid),
      },
    });
    const server = child;
    server.once("exit", (code, signal) => {
      if (stopping) return;
      console.error(`warden: the server exited (${signal ?? `code ${code}`})`);
      void stop(code || 1);
    });
    await waitUntilServing(port, server);
  } catch (error) {
    if (stopping) return;
    console.error("warden: failed to start:", error instanceof Error ? error.message : error);
    showFirstAdmin();
    await stop(1);
    return;
  }
  if (stopping) return;
  showFirstAdmin();
  console.log(`\nwarden: ready at http://localhost:${port}  (agents: http://localhost:${port}/api/v1)\n`);
}

/** Until this launcher's own server answers its health check (not another program on the port). */
async function waitUntilServing(port: number, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error("the server exited before it was ready");
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2_000) });
      const body = (await response.json()) as { pid?: number };
      if (response.ok && body.pid === server.pid) return;
      if (body.pid !== server.pid) throw new Error(`another program answers on port ${port}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("another program")) throw error;
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server did not answer on port ${port} within two minutes`);
}

main().catch((error: unknown) => fail(`failed to start: ${error instanceof Error ? error.message : String(error)}`));
