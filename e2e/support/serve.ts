import { spawn } from "node:child_process";
import { chmod, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createFreshDatabase } from "../../tests/support/test-database";

/**
 * Playwright's web server: a fresh database (PostgreSQL when one answers, else the embedded
 * one in a temporary folder), then `npm start`'s launcher exactly as a user runs it.
 */
async function main() {
  const url = await createFreshDatabase("warden_e2e");
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (url) env.DATABASE_URL = url;
  else {
    delete env.DATABASE_URL;
    env.WARDEN_DATA_DIR = await mkdtemp(path.join(tmpdir(), "warden-e2e-"));
    await chmod(env.WARDEN_DATA_DIR, 0o755); // the embedded server runs as postgres under root
  }
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { stdio: "inherit", env });
  const stop = () => child.kill("SIGTERM");
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  child.on("exit", (code) => process.exit(code ?? 0));
}

void main();
