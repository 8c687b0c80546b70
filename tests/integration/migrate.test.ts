import { readdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { migrate } from "../../server/db/migrate";
import { createFreshDatabase } from "../support/test-database";

describe("migrations", () => {
  it("two starters on an empty database end with one history", async ({ skip }) => {
    const url = await createFreshDatabase("warden_test_migrate");
    if (!url) skip();
    const results = await Promise.all([migrate(url!), migrate(url!), migrate(url!)]);
    const expected = readdirSync(path.join(process.cwd(), "prisma/migrations")).length;
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, expected]);
    const client = new pg.Client({ connectionString: url! });
    await client.connect();
    const history = await client.query("SELECT migration_name FROM _prisma_migrations ORDER BY migration_name");
    await client.end();
    expect(history.rows).toHaveLength(expected);
    expect(new Set(history.rows.map((r) => r.migration_name)).size).toBe(expected);
    // Running again is a no-op.
    expect((await migrate(url!)).applied).toEqual([]);
  });
});
