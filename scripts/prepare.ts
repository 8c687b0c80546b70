import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Generated artefacts the repository does not commit: the Prisma client, the Next build and the
 * server's bundle.
 * Each is remade only when its inputs changed (a content hash kept beside it), so `npm start`
 * on an unchanged checkout goes straight to serving.
 */
const ROOT = process.cwd();
const BUILD_INPUTS = [
  "app",
  "components",
  "server",
  "sdk/src",
  "public",
  "proxy.ts",
  "next.config.js",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
  "prisma/schema.prisma",
  "scripts/serve.ts",
];
/** The server process's code, compiled ahead of time (serverBundle below). */
export const SERVER_BUNDLE = path.join(ROOT, ".next/warden-server/serve.mjs");
const SKIP = new Set(["node_modules", ".next", "generated"]);

function hashInputs(inputs: string[]): string {
  const hash = createHash("sha256");
  const visit = (rel: string) => {
    const full = path.join(ROOT, rel);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const entry of readdirSync(full).sort()) if (!SKIP.has(entry)) visit(path.join(rel, entry));
    } else {
      hash.update(rel).update("\0").update(readFileSync(full)).update("\0");
    }
  };
  inputs.forEach(visit);
  return hash.digest("hex");
}

// The child's output goes to stderr: a command that prepares first (`npm run warden -- audit
// anchor`) writes its own answer to stdout, where a script reads it as JSON.
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { stdio: ["ignore", process.stderr, process.stderr], env });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed with exit code ${result.status}`);
}

function upToDate(stampFile: string, digest: string): boolean {
  return existsSync(stampFile) && readFileSync(stampFile, "utf8") === digest;
}

export function ensurePrismaClient(): void {
  const stamp = path.join(ROOT, "server/db/generated/.schema-hash");
  const digest = hashInputs(["prisma/schema.prisma", "package-lock.json"]);
  if (upToDate(stamp, digest)) return;
  // `generate` never runs the native schema engine, so no engine download is needed.
  run(process.execPath, [path.join(ROOT, "node_modules/prisma/build/index.js"), "generate"], {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? "/bin/false",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  });
  writeFileSync(stamp, digest);
}

/**
 * Builds the console when its sources changed, in a child process: the launcher starts the
 * database and applies the migrations meanwhile (the build needs neither), so a first start
 * waits for the longer of the two, not for both. `child` lets the launcher stop a build that is
 * still running when it must stop.
 */
export function ensureNextBuild(): { done: Promise<void>; child: ChildProcess | null } {
  const stamp = path.join(ROOT, ".next/warden-build-hash");
  const digest = hashInputs(BUILD_INPUTS);
  if (upToDate(stamp, digest) && existsSync(path.join(ROOT, ".next/BUILD_ID")) && existsSync(SERVER_BUNDLE)) return { done: Promise.resolve(), child: null };
  console.log("warden: building the console (first start or changed sources)…");
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "build"], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code !== 0) return reject(new Error(`next build failed (${signal ?? `exit code ${code}`})`));
      // After Next's build, which empties .next first.
      bundleServer().then(() => {
        writeFileSync(stamp, digest);
        resolve();
      }, reject);
    });
  });
  return { done, child };
}

/**
 * The server process's code as one ES module (the packages it imports stay in node_modules),
 * compiled once per build instead of by tsx's loader in every process. tsx compiles with
 * esbuild's keepNames, which wraps every function and class made at run time in a `__name()`
 * call, closures made per request included; the server also skips the loader at start. Under
 * `GET /api/health` at 50 concurrent the server spent 110–122 µs of CPU a request this way,
 * against 141 under tsx (docs/benchmarks.md).
 */
async function bundleServer(): Promise<void> {
  const { build } = await import("esbuild");
  await build({
    entryPoints: [path.join(ROOT, "scripts/serve.ts")],
    outfile: SERVER_BUNDLE,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  });
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(ROOT, "scripts/prepare.ts");
if (invokedDirectly) {
  ensurePrismaClient();
  if (process.argv.includes("--build")) await ensureNextBuild().done;
}
