import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Warden as a newcomer gets it: a fresh copy of the repository (the files git would commit, so
 * no node_modules, no build, no data folder), `npm ci`, then `npm start` with no DATABASE_URL,
 * exactly as the README's first command. Used by the default-path end-to-end suite and by
 * `npm run newcomer`, which times it.
 */
export type FreshCopy = { dir: string; logFile: string; remove: () => void };

const ROOT = path.resolve(import.meta.dirname, "..");

/** The repository's files as a clean clone would hold them, working-tree edits included. */
export function freshCopy(): FreshCopy {
  const dir = mkdtempSync(path.join(tmpdir(), "warden-newcomer-"));
  chmodSync(dir, 0o755); // as a clone is, not a private temporary folder
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    const from = path.join(ROOT, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    const to = path.join(dir, file);
    mkdirSync(path.dirname(to), { recursive: true });
    if (lstatSync(from).isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else copyFileSync(from, to);
  }
  const logFile = path.join(dir, "newcomer.log");
  writeFileSync(logFile, "");
  return { dir, logFile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a command in the copy like a person in a terminal (CI's environment, no DATABASE_URL). */
export function run(copy: FreshCopy, command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.DATABASE_URL;
  delete childEnv.WARDEN_DATA_DIR;
  delete childEnv.WARDEN_ADMIN_EMAIL;
  delete childEnv.WARDEN_ADMIN_PASSWORD;
  // npm's own variables from the suite that runs this would leak into the inner npm.
  for (const key of Object.keys(childEnv)) if (key.startsWith("npm_")) delete childEnv[key];
  const child = spawn(command, args, { cwd: copy.dir, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  const log = (chunk: Buffer) => appendFileSync(copy.logFile, chunk);
  child.stdout!.on("data", log);
  child.stderr!.on("data", log);
  return child;
}

export function exitOf(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1))));
}

export async function install(copy: FreshCopy): Promise<void> {
  const code = await exitOf(run(copy, "npm", ["ci", "--no-audit", "--no-fund"]));
  if (code !== 0) throw new Error(`npm ci failed (exit ${code}); see ${copy.logFile}`);
}

export type RunningWarden = {
  process: ChildProcess;
  url: string;
  /** Everything the server printed since this start. */
  output: () => string;
  /** Ctrl-C, as a person presses it; resolves with the exit code and how long it took. */
  interrupt: () => Promise<{ code: number; ms: number }>;
};

/** `npm start`, waiting for its "ready" line (or its exit). */
export async function start(copy: FreshCopy, port: number, timeoutMs = 600_000): Promise<RunningWarden> {
  const child = run(copy, "npm", ["start"], { PORT: String(port) });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = exitOf(child);
  const deadline = Date.now() + timeoutMs;
  while (!/warden: ready at /.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm start exited (code ${child.exitCode}) before it was ready:\n${output.slice(-3000)}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`npm start was not ready within ${timeoutMs / 1000} s:\n${output.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    process: child,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    interrupt: async () => {
      const began = Date.now();
      // A terminal's Ctrl-C reaches every process of the foreground group: npm, the launcher and
      // the server. This child is npm; its process group is ours, so signal each one by name.
      for (const pid of descendants(child.pid!)) {
        try {
          process.kill(pid, "SIGINT");
        } catch {
          // already gone
        }
      }
      const code = await exited;
      return { code, ms: Date.now() - began };
    },
  };
}

/**
 * `pid` and the processes below it in its process group: what a terminal's Ctrl-C reaches. The
 * embedded PostgreSQL runs in a group of its own, so it is left for Warden to stop.
 */
function descendants(pid: number): number[] {
  const group = (p: number) => spawnSync("ps", ["-o", "pgid=", "-p", String(p)], { encoding: "utf8" }).stdout.trim();
  const pgid = group(pid);
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    const listed = spawnSync("ps", ["-o", "pid=,pgid=", "--ppid", String(all[i])], { encoding: "utf8" });
    for (const line of listed.stdout.split("\n")) {
      const [child, childGroup] = line.trim().split(/\s+/);
      if (child && childGroup === pgid) all.push(Number(child));
    }
  }
  return all;
}

/** The admin password the first start printed ("password: …   (shown once: keep it)"). */
export function printedAdminPassword(output: string): { email: string; password: string } {
  const email = /email:\s+(\S+)/.exec(output)?.[1];
  const password = /password:\s+(\S+)\s+\(shown once/.exec(output)?.[1];
  if (!email || !password) throw new Error(`npm start printed no admin password:\n${output.slice(0, 3000)}`);
  return { email, password };
}
