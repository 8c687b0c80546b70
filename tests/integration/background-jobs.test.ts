import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKGROUND_JOBS } from "../../server/background";
import { PrismaClient } from "../../server/db/generated/client";
import { migrate } from "../../server/db/migrate";
import { createFreshDatabase } from "../support/test-database";

/**
 * The default install path: every background job's first run is against a database with no
 * rows at all. The intervention-alert job used to throw there (`interventionRate: autonomous
 * must be a whole number >= 0, got null`: the fleet-wide grouping set sums no rows to NULL).
 */
describe("background jobs on a fresh, empty, migrated database", () => {
  let fresh: PrismaClient | null = null;

  beforeAll(async () => {
    const url = await createFreshDatabase("warden_test_jobs");
    if (!url) return; // embedded fallback: one database for the run, not empty
    await migrate(url);
    fresh = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  });

  afterAll(async () => {
    await fresh?.$disconnect();
  });

  for (const job of BACKGROUND_JOBS) {
    it(`${job.name} runs once, and again, without throwing`, async ({ skip }) => {
      if (!fresh) return skip();
      await expect(job.run(fresh)).resolves.not.toThrow();
      await expect(job.run(fresh)).resolves.not.toThrow();
    });
  }

  it("the list is every job the server schedules", () => {
    expect(BACKGROUND_JOBS.map((j) => j.name)).toEqual(
      expect.arrayContaining([
        "audit.seal",
        "approvals.expire",
        "webhooks.deliver",
        "tasks.leases",
        "usage.rollup",
        "metrics.rollup",
        "metrics.intervention-alerts",
        "metrics.drift",
      ]),
    );
  });
});
