import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ADVISORY_LOCKS } from "../../server/db/advisory-locks";

const ROOT = path.resolve(import.meta.dirname, "../..");

function sources(dir: string, ext: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(ext) && !file.includes("generated"))
    .map((file) => path.join(dir, file));
}

// pg_advisory_lock, pg_try_advisory_xact_lock_shared, … and what their first argument is.
const LOCK_CALL = /pg_(?:try_)?advisory_(?:xact_)?lock(?:_shared)?\(\s*([^,)]+)/g;

describe("advisory locks: one registry, no shared key spaces", () => {
  it("no two namespaces share an id", () => {
    const ids = Object.entries(ADVISORY_LOCKS);
    const byId = new Map<number, string[]>();
    for (const [name, id] of ids) byId.set(id, [...(byId.get(id) ?? []), name]);
    expect([...byId.values()].filter((names) => names.length > 1)).toEqual([]);
  });

  it("every lock the code takes names its id from the registry, never a number of its own", () => {
    const offenders: string[] = [];
    // Everywhere TypeScript runs SQL: the app, its scripts and benchmarks, and the tests and
    // end-to-end fixtures (a test taking a lock of its own could block the code under test).
    const code = ["app", "server", "scripts", "bench", "tests", "e2e"]
      .flatMap((dir) => [...sources(dir, ".ts"), ...sources(dir, ".tsx")])
      .filter((f) => !f.endsWith("advisory-locks.ts") && !f.endsWith("advisory-locks.test.ts"));
    for (const file of code) {
      for (const match of readFileSync(path.join(ROOT, file), "utf8").matchAll(LOCK_CALL)) {
        const first = match[1]!.trim();
        // `$1` is migrate.ts's parameter, ADVISORY_LOCKS.migration.
        const fromRegistry = /^\$\{(ADVISORY_LOCKS\.\w+|USAGE_INGEST_LOCK)\}/.test(first) || first === "$1";
        if (!fromRegistry) offenders.push(`${file}: ${match[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("the locks taken inside SQL (migrations) are registered ids", () => {
    const registered = new Set<number>(Object.values(ADVISORY_LOCKS));
    const found: string[] = [];
    for (const file of sources("prisma/migrations", ".sql")) {
      for (const match of readFileSync(path.join(ROOT, file), "utf8").matchAll(LOCK_CALL)) {
        found.push(match[1]!);
        expect([file, registered.has(Number(match[1]))]).toEqual([file, true]);
      }
    }
    expect(found).toContain(String(ADVISORY_LOCKS.auditSeal));
  });
});
