import { createHash } from "node:crypto";
import pg from "pg";
import type { DbOrTx } from "./client";
import { Prisma } from "./generated/client";
import { pgPool } from "./pg-pool";
import { isRootClient } from "./transaction";

/*
 * The hot path's statements (a decision's recall and write, a health check, a task claim) run
 * on node-postgres directly, not through Prisma's raw queries: measured on this machine, a raw
 * query costs about 0.2 ms of CPU in Prisma against 0.04 ms in node-postgres, five times as
 * much, and a decision makes three of them. Inside a transaction they go through Prisma's
 * transaction client, as they must. The statements are the same Prisma.sql templates either way.
 *
 * They run as prepared statements, named by a hash of their text: PostgreSQL plans each one once
 * per connection instead of on every call. The recall statement took 0.9 ms to plan and 0.15 ms
 * to run; a decision's statements are few and their texts a handful, so the plans kept per
 * connection stay few.
 */

const INT8 = 20;
const INT8_ARRAY = 1016;
const NUMERIC = 1700;
const DATE = 1082;
const TIMESTAMP = 1114;

// Rows read the way Prisma's raw queries read them, so a call site may take either path: bigint
// as BigInt and numeric as Decimal (node-postgres reads both as strings), a date or a timestamp
// without time zone as UTC (node-postgres reads them in the process's time zone); the rest
// (timestamptz as Date, json parsed, arrays) as node-postgres does, which is how Prisma reads them.
const parseInt8Array = pg.types.getTypeParser(INT8_ARRAY as never) as (text: string) => (string | null)[];
const PARSERS: Record<number, (text: string) => unknown> = {
  [INT8]: (text) => BigInt(text),
  [INT8_ARRAY]: (text) => parseInt8Array(text).map((value) => (value === null ? null : BigInt(value))),
  [NUMERIC]: (text) => new Prisma.Decimal(text),
  [DATE]: (text) => new Date(`${text}T00:00:00Z`),
  [TIMESTAMP]: (text) => new Date(`${text.replace(" ", "T")}Z`),
};
const types = {
  getTypeParser: (oid: number, format?: "text" | "binary") => PARSERS[oid] ?? pg.types.getTypeParser(oid, format),
} as pg.CustomTypesConfig;

const names = new Map<string, string>();

/** A prepared statement's name: the same text always gets the same one (node-postgres requires it). */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `warden_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

function runDirect(sql: Prisma.Sql): Promise<pg.QueryResult> {
  return pgPool().query({ name: statementName(sql.text), text: sql.text, values: sql.values, types });
}

/** The rows of `sql`: on the pool directly, or in `db`'s transaction. */
export async function sqlRows<T>(db: DbOrTx, sql: Prisma.Sql): Promise<T[]> {
  if (!isRootClient(db)) return db.$queryRaw<T[]>(sql);
  return (await runDirect(sql)).rows as T[];
}

/** Runs `sql` and returns how many rows it changed: on the pool directly, or in `db`'s transaction. */
export async function sqlExecute(db: DbOrTx, sql: Prisma.Sql): Promise<number> {
  if (!isRootClient(db)) return db.$executeRaw(sql);
  return (await runDirect(sql)).rowCount ?? 0;
}
