import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migrate } from "../../server/db/migrate";
import { createFreshDatabase } from "./test-database";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/** One freshly migrated database for the whole run; tests make their own unique data in it. */
export default async function setup(project: TestProject) {
  let url = await createFreshDatabase("warden_test");
  let cleanup = async () => {};
  if (!url) {
    const { startEmbeddedDatabase } = await import("../../server/db/embedded");
    const dir = await mkdtemp(path.join(tmpdir(), "warden-test-"));
    await chmod(dir, 0o755); // the embedded server runs as postgres when the tests run as root
    const embedded = await startEmbeddedDatabase(dir);
    url = embedded.url;
    cleanup = async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    };
    console.log("tests: no PostgreSQL server answered; using the embedded database");
  }
  await migrate(url);
  project.provide("databaseUrl", url);
  return cleanup;
}
