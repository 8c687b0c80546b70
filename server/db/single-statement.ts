import type { DbOrTx } from "./client";
import { sqlExecute } from "./direct-sql";
import { Prisma } from "./generated/client";
import { sqlState } from "./sql-state";

/** SQLSTATE of warden_require(): a statement's guard found its premise changed. */
const GUARD_FAILED = "WR001";

/**
 * Runs several INSERTs (and a final SELECT, such as pg_notify) as ONE SQL statement:
 * `WITH w0 AS (INSERT …), w1 AS (INSERT …) SELECT …`. A single statement is atomic on its own
 * and costs one round trip instead of BEGIN, one per write, and COMMIT: what the hot path of
 * every guardrail decision needs. The writes must not depend on each other's rows.
 *
 * `guard`, a boolean expression, is what the writes were decided on (the agent's control epoch,
 * say), checked in the same statement: when it is not true nothing is written and the call
 * throws a GuardFailed the caller can answer by deciding again.
 */
export async function writeAtomically(
  db: DbOrTx,
  writes: Prisma.Sql[],
  finalSelect: Prisma.Sql = Prisma.sql`SELECT 1`,
  guard?: { check: Prisma.Sql; message: string },
): Promise<void> {
  const ctes = writes.map((write, i) => Prisma.sql`${Prisma.raw(`w${i}`)} AS (${write})`);
  // A SELECT in a WITH runs only when read: the final select reads it through a join.
  if (guard) ctes.push(Prisma.sql`guard AS (SELECT warden_require(${guard.check}, ${guard.message}) AS ok)`);
  const final = guard ? Prisma.sql`SELECT final.* FROM (${finalSelect}) AS final, guard` : finalSelect;
  try {
    await sqlExecute(db, Prisma.sql`WITH ${Prisma.join(ctes, ", ")} ${final}`);
  } catch (error) {
    if (guard && sqlState(error) === GUARD_FAILED) throw new GuardFailed(guard.message);
    throw error;
  }
}

export class GuardFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GuardFailed";
  }
}
