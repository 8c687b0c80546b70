import type { DbOrTx } from "./client";
import { Prisma } from "./generated/client";

/**
 * Runs several INSERTs (and a final SELECT, such as pg_notify) as ONE SQL statement:
 * `WITH w0 AS (INSERT …), w1 AS (INSERT …) SELECT …`. A single statement is atomic on its own
 * and costs one round trip instead of BEGIN, one per write, and COMMIT: what the hot path of
 * every guardrail decision needs. The writes must not depend on each other's rows.
 */
export async function writeAtomically(db: DbOrTx, writes: Prisma.Sql[], finalSelect: Prisma.Sql = Prisma.sql`SELECT 1`): Promise<void> {
  const ctes = Prisma.join(
    writes.map((write, i) => Prisma.sql`${Prisma.raw(`w${i}`)} AS (${write})`),
    ", ",
  );
  await db.$executeRaw`WITH ${ctes} ${finalSelect}`;
}
