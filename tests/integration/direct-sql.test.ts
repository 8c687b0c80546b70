import { describe, expect, it } from "vitest";
import { sqlExecute, sqlRows } from "@/server/db/direct-sql";
import { Prisma } from "@/server/db/generated/client";
import { sqlState } from "@/server/db/sql-state";
import { transaction } from "@/server/db/transaction";
import { db } from "../support/fixtures";

// The hot path's statements skip Prisma outside a transaction (server/db/direct-sql.ts): a call
// site must read the same values whichever way its statement ran.
const EVERY_TYPE = Prisma.sql`
  SELECT 9007199254740993::int8 AS big, ARRAY[1, NULL, 9007199254740993]::int8[] AS bigs, 12.345678::numeric(14,6) AS money,
         '2026-03-29'::date AS day, '2026-03-29 02:30:00'::timestamp AS local, '2026-03-29 02:30:00+02'::timestamptz AS instant,
         '{"a": [1, {"b": null}]}'::jsonb AS doc, ARRAY['x', 'y']::text[] AS words, true AS yes, 0.25::float8 AS ratio,
         7::int4 AS small, 'a1b2c3d4-0000-4000-8000-000000000000'::uuid AS id, NULL::text AS nothing, ${"it's"}::text AS quoted,
         ${[1, 2]}::int[] AS passed, ${new Date("2026-01-01T00:00:00Z")}::timestamptz AS passed_date`;

describe("statements that skip Prisma", () => {
  it("read every type as Prisma's raw queries read it", async () => {
    const direct = await sqlRows<Record<string, unknown>>(db, EVERY_TYPE);
    const viaPrisma = await transaction(db, (tx) => sqlRows<Record<string, unknown>>(tx, EVERY_TYPE));
    expect(direct).toEqual(viaPrisma);
    expect(direct[0]).toMatchObject({
      big: 9007199254740993n,
      bigs: [1n, null, 9007199254740993n],
      day: new Date("2026-03-29T00:00:00Z"),
      local: new Date("2026-03-29T02:30:00Z"),
      instant: new Date("2026-03-29T00:30:00Z"),
    });
    expect(String(direct[0]!.money)).toBe("12.345678");
  });

  it("count changed rows, and carry PostgreSQL's error code either way", async () => {
    await sqlExecute(db, Prisma.sql`CREATE TABLE IF NOT EXISTS direct_sql_probe (id int PRIMARY KEY)`);
    await sqlExecute(db, Prisma.sql`TRUNCATE direct_sql_probe`);
    expect(await sqlExecute(db, Prisma.sql`INSERT INTO direct_sql_probe SELECT generate_series(1, 3)`)).toBe(3);
    const direct = await sqlExecute(db, Prisma.sql`INSERT INTO direct_sql_probe VALUES (1)`).catch((e: unknown) => e);
    const viaPrisma = await transaction(db, (tx) => sqlExecute(tx, Prisma.sql`INSERT INTO direct_sql_probe VALUES (1)`)).catch((e: unknown) => e);
    expect([sqlState(direct), sqlState(viaPrisma)]).toEqual(["23505", "23505"]);
    await sqlExecute(db, Prisma.sql`DROP TABLE direct_sql_probe`);
  });
});
