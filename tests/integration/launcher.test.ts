import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hydrateSymlinks } from "../../server/db/embedded";
import { DataFolderBusy, lockDataFolder, lockHolder, noteExternalServer } from "../../server/launcher/data-folder";
import { portProblem } from "../../server/launcher/port";

const folders: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "warden-launcher-"));
  folders.push(dir);
  return dir;
};
afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** `npm run warden -- …` as a person runs it, without DATABASE_URL. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.DATABASE_URL;
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/warden.ts", ...args], { env: childEnv });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code: code ?? 1, output })));
}

describe("the data folder's lock", () => {
  it("lets one holder in; a second is refused with who holds it, and gets in once it is released", () => {
    const dir = tempDir();
    const lock = lockDataFolder(dir, { kind: "server", port: 11480 });
    expect(() => lockDataFolder(dir, { kind: "cli" })).toThrow(DataFolderBusy);
    expect(() => lockDataFolder(dir, { kind: "cli" })).toThrow(/in use by a Warden server \(pid \d+, port 11480\)/);
    lock.update({ databaseUrl: "postgresql://x@127.0.0.1:1/warden" });
    expect(lockHolder(dir)).toMatchObject({ pid: process.pid, kind: "server", databaseUrl: "postgresql://x@127.0.0.1:1/warden" });
    lock.release();
    expect(lockHolder(dir)).toBeNull();
    lockDataFolder(dir, { kind: "cli" }).release();
  });

  it("takes over a lock whose process is gone, or whose pid now runs something else", () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ["-e", "process.pid"]).pid!;
    writeFileSync(path.join(dir, "warden.lock"), JSON.stringify({ pid: dead, script: "/x/scripts/start.ts", kind: "server", startedAt: "" }));
    lockDataFolder(dir, { kind: "cli" }).release();
    // pid 1 is alive but is not a Warden: a recycled pid must not lock the folder forever.
    writeFileSync(path.join(dir, "warden.lock"), JSON.stringify({ pid: 1, script: "/x/scripts/start.ts", kind: "server", startedAt: "" }));
    lockDataFolder(dir, { kind: "cli" }).release();
  });

  it("of two processes taking it at once, exactly one wins", async () => {
    const dir = tempDir();
    const take = `import { lockDataFolder } from "./server/launcher/data-folder.ts";
      try { lockDataFolder(${JSON.stringify(dir)}, { kind: "cli" }); console.log("won"); setTimeout(() => {}, 1500); }
      catch (e) { console.log("lost"); }`;
    const racers = Array.from({ length: 4 }, () => spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", take]));
    const results = await Promise.all(
      racers.map(
        (child) =>
          new Promise<string>((resolve) => {
            let out = "";
            child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
            child.on("exit", () => resolve(out.trim()));
          }),
      ),
    );
    expect(results.filter((r) => r === "won")).toHaveLength(1);
    expect(results.filter((r) => r === "lost")).toHaveLength(3);
  }, 30_000);
});

describe("the port check", () => {
  it("names a port that is taken", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    expect(await portProblem(port, "127.0.0.1")).toBe(`port ${port} is already in use`);
    await new Promise((resolve) => server.close(resolve));
    expect(await portProblem(port, "127.0.0.1")).toBeNull();
  });
});

describe("the CLI's database", () => {
  it("refuses to create users where no server will read them: no embedded database and no DATABASE_URL", async () => {
    const dir = tempDir();
    const { code, output } = await cli(["user", "create", "--email", "x@y.test", "--role", "admin"], { WARDEN_DATA_DIR: dir });
    expect(code).toBe(2);
    expect(output).toContain(`no Warden database in ${dir}`);
    expect(output).toContain("DATABASE_URL");
  }, 30_000);

  it("refuses while a Warden on your own PostgreSQL runs on this data folder", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "postgres"), { recursive: true });
    writeFileSync(path.join(dir, "postgres", "PG_VERSION"), "18\n");
    const removeNote = noteExternalServer(dir, 11480); // this test process plays that Warden
    try {
      // The CLI checks the note's holder is alive and still runs its script: this test's own.
      const { code, output } = await cli(["token", "create", "--email", "x@y.test", "--name", "t"], { WARDEN_DATA_DIR: dir });
      expect(code).toBe(2);
      expect(output).toContain("the Warden on port 11480 uses your own PostgreSQL: set DATABASE_URL");
    } finally {
      removeNote();
    }
  }, 30_000);
});

describe("the binaries' shared-library links", () => {
  it("are restored when npm skipped the package's install script, and left alone when present", () => {
    const pkg = tempDir();
    mkdirSync(path.join(pkg, "native", "lib"), { recursive: true });
    writeFileSync(path.join(pkg, "native", "lib", "libpq.so.5.18"), "");
    writeFileSync(
      path.join(pkg, "native", "pg-symlinks.json"),
      JSON.stringify([
        { source: "native/lib/libpq.so.5.18", target: "native/lib/libpq.so.5" },
        { source: "native/lib/libpq.so.5.18", target: "native/lib/libpq.so" },
      ]),
    );
    expect(hydrateSymlinks(pkg)).toBe(2);
    expect(readlinkSync(path.join(pkg, "native", "lib", "libpq.so.5"))).toBe("libpq.so.5.18");
    expect(hydrateSymlinks(pkg)).toBe(0);
  });
});
