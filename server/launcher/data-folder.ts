import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { isAlive } from "../db/embedded";

/**
 * One Warden per data folder. The embedded database's cluster lives in the data folder, and two
 * processes opening it would be two servers on one cluster (PostgreSQL refuses the second,
 * after the first has answered "ready" to nobody). Whoever opens it, `npm start` or a
 * `npm run warden` command, holds `warden.lock`, which also tells the others where the running
 * server's database is. A Warden on your own PostgreSQL holds no lock (instances run side by
 * side) but leaves a note, `external-<port>.json`, so the CLI does not open the embedded one.
 */
export type LockHolder = {
  pid: number;
  /** The script that holds it, to tell a live holder from a recycled pid. */
  script: string;
  kind: "server" | "cli";
  port?: number;
  databaseUrl?: string;
  startedAt: string;
};

export type ExternalServer = { pid: number; script: string; port: number; startedAt: string };

const LOCK_FILE = "warden.lock";

export class DataFolderBusy extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    const who =
      holder.kind === "server"
        ? `a Warden server (pid ${holder.pid}${holder.port ? `, port ${holder.port}` : ""})`
        : `a \`npm run warden\` command (pid ${holder.pid})`;
    super(`${dataDir} is in use by ${who}; one Warden per data folder (stop it, or set WARDEN_DATA_DIR to another folder)`);
  }
}

/** Whether `pid` is alive and still runs `script` (pids are recycled after a crash). */
function stillRunning(pid: number, script: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(path.basename(script));
  } catch {
    return true; // no /proc (macOS): a live pid is taken as the holder
  }
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return null;
  }
}

/** The live holder of the data folder, or null. */
export function lockHolder(dataDir: string): LockHolder | null {
  const holder = readJson<LockHolder>(path.join(dataDir, LOCK_FILE));
  return holder && stillRunning(holder.pid, holder.script) ? holder : null;
}

export type DataFolderLock = { update: (fields: Partial<LockHolder>) => void; release: () => void };

/**
 * Takes the data folder for this process, or throws DataFolderBusy. A lock left by a process
 * that died is taken over. The file is created exclusively, so of two starts at once one wins.
 */
export function lockDataFolder(dataDir: string, fields: Pick<LockHolder, "kind" | "port">): DataFolderLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  let holder: LockHolder = { pid: process.pid, script: process.argv[1] ?? "", startedAt: new Date().toISOString(), ...fields };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, "wx", 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const current = lockHolder(dataDir);
      if (current) throw new DataFolderBusy(dataDir, current);
      rmSync(file, { force: true }); // left by a process that is gone
      continue;
    }
    writeSync(fd, JSON.stringify(holder));
    closeSync(fd);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (readJson<LockHolder>(file)?.pid === process.pid) rmSync(file, { force: true });
    };
    process.once("exit", release);
    return {
      update: (more) => {
        holder = { ...holder, ...more };
        writeFileSync(file, JSON.stringify(holder), { mode: 0o600 });
      },
      release,
    };
  }
  throw new Error(`could not take ${file}`);
}

/** Notes that a Warden on an external database serves `port`; returns the function that removes the note. */
export function noteExternalServer(dataDir: string, port: number): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, `external-${port}.json`);
  const note: ExternalServer = { pid: process.pid, script: process.argv[1] ?? "", port, startedAt: new Date().toISOString() };
  writeFileSync(file, JSON.stringify(note), { mode: 0o600 });
  const remove = () => {
    if (readJson<ExternalServer>(file)?.pid === process.pid) rmSync(file, { force: true });
  };
  process.once("exit", remove);
  return remove;
}

/** Wardens running on an external database with this data folder. */
export function externalServers(dataDir: string): ExternalServer[] {
  if (!existsSync(dataDir)) return [];
  return readdirSync(dataDir)
    .filter((name) => /^external-\d+\.json$/.test(name))
    .map((name) => readJson<ExternalServer>(path.join(dataDir, name)))
    .filter((note): note is ExternalServer => note !== null && stillRunning(note.pid, note.script));
}

/** Whether the data folder holds an embedded cluster (made by an earlier `npm start`). */
export function hasEmbeddedCluster(dataDir: string): boolean {
  return existsSync(path.join(dataDir, "postgres", "PG_VERSION"));
}

/** The folder where Warden's PGlite versions kept their database (PostgreSQL compiled to WebAssembly). */
export function pgliteDataDir(dataDir: string): string | null {
  const dir = path.join(dataDir, "pgdata");
  return existsSync(path.join(dir, "PG_VERSION")) ? dir : null;
}
