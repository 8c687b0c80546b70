import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePrismaSchema, type ExpectedSchema } from "../support/prisma-schema";

/*
 * prisma/schema.prisma and prisma/migrations must describe the same database: the application
 * builds its database from the migrations alone (server/db/migrate.ts), while the Prisma client
 * is generated from the schema. The global setup applied every migration to a fresh database;
 * this compares what that built (information_schema and pg_catalog) with what schema.prisma
 * declares: tables, columns, types, nullability, enums, keys, indexes and foreign keys. An edit
 * to schema.prisma without a migration (or a migration without the schema change) fails here.
 * Write the migration with `../shared/tools/prisma-migration-sql --name NAME`.
 *
 * Hand-written SQL the schema cannot express is allowed on the database side only: tables
 * Prisma does not manage (below), and indexes that are partial, on expressions or not btree.
 */
const UNMANAGED_TABLES = new Set([
  // Prisma's own migration history.
  "_prisma_migrations",
  // The distinct memory subjects, kept by triggers and read by raw SQL only (migration
  // 20261124030232_memory_curation_and_signals).
  "memory_subjects",
  // Recall's topics and subject vocabulary, kept by triggers and read by raw SQL only
  // (migration 20261130121409_memory_topics).
  "memory_topics",
  "memory_words",
]);
/** Plain btree indexes written by hand all the same (the column is Unsupported in schema.prisma). */
const HAND_WRITTEN_INDEXES = new Set([
  // The audit sealer's order (migration 20261124005425_audit_log_chain).
  "audit_log: index(txid,id)",
]);

let client: pg.Client;
let expected: ExpectedSchema;
beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  expected = parsePrismaSchema(readFileSync(path.join(import.meta.dirname, "../../prisma/schema.prisma"), "utf8"));
});
afterAll(() => client.end());

/** The column's type in the spelling of tests/support/prisma-schema.ts. */
function columnType(c: {
  data_type: string;
  udt_name: string;
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  datetime_precision: number | null;
  element: string | null;
}): string {
  const base = (dataType: string, udt: string): string => {
    if (dataType === "USER-DEFINED") return /^(xid8|tsvector)$/.test(udt) ? udt : `enum ${udt}`;
    if (dataType === "character varying") return c.character_maximum_length ? `character varying(${c.character_maximum_length})` : "character varying";
    if (dataType === "numeric") return `numeric(${c.numeric_precision},${c.numeric_scale})`;
    if (dataType === "timestamp with time zone") return `timestamp with time zone(${c.datetime_precision})`;
    if (dataType === "timestamp without time zone") return `timestamp(${c.datetime_precision})`;
    return dataType;
  };
  if (c.data_type === "ARRAY") {
    // information_schema names the element type only by its udt (`_int4`): map the ones used.
    const element = c.element ?? c.udt_name.replace(/^_/, "");
    const names: Record<string, string> = { int4: "integer", text: "text", int8: "bigint", uuid: "uuid", bool: "boolean" };
    return `${names[element] ?? `enum ${element}`}[]`;
  }
  return base(c.data_type, c.udt_name);
}

async function actualSchema() {
  const columns = await client.query(`
    SELECT c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable = 'YES' AS nullable, c.character_maximum_length,
           c.numeric_precision, c.numeric_scale, c.datetime_precision, c.is_generated = 'ALWAYS' AS generated, NULL AS element
      FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
     WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
     ORDER BY c.table_name, c.ordinal_position`);
  const enums = await client.query<{ name: string; values: string[] }>(`
    SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = current_schema() GROUP BY t.typname`);
  // Every index and key, with whether schema.prisma could have declared it (plain btree on columns).
  const indexes = await client.query<{ table: string; kind: string; columns: string[]; plain: boolean }>(`
    SELECT t.relname AS table,
           CASE WHEN i.indisprimary THEN 'pk' WHEN i.indisunique THEN 'unique' ELSE 'index' END AS kind,
           array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                  WHERE k.n <= i.indnkeyatts ORDER BY k.n)::text[] AS columns,
           -- INCLUDE columns, a predicate or an expression: hand-written, beyond schema.prisma.
           am.amname = 'btree' AND i.indpred IS NULL AND i.indexprs IS NULL AND i.indnatts = i.indnkeyatts AS plain
      FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
      JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = current_schema()`);
  const foreignKeys = await client.query<{ table: string; description: string }>(`
    SELECT t.relname AS table,
           'fk(' || (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum)
           || ') -> ' || r.relname || '('
           || (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum)
           || ') on delete ' || CASE c.confdeltype WHEN 'a' THEN 'no action' WHEN 'r' THEN 'restrict' WHEN 'c' THEN 'cascade' WHEN 'n' THEN 'set null' WHEN 'd' THEN 'set default' END AS description
      FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE c.contype = 'f' AND n.nspname = current_schema()`);
  return { columns: columns.rows, enums: enums.rows, indexes: indexes.rows, foreignKeys: foreignKeys.rows };
}

describe("schema.prisma and the migrations agree", () => {
  it("every table, column, enum, key, index and foreign key, both ways", async () => {
    const actual = await actualSchema();
    const problems: string[] = [];

    const actualTables = new Set(actual.columns.map((c) => c.table_name as string).filter((t) => !UNMANAGED_TABLES.has(t)));
    for (const table of expected.tables.keys()) if (!actualTables.has(table)) problems.push(`table ${table}: in schema.prisma, not made by any migration`);
    for (const table of actualTables) if (!expected.tables.has(table)) problems.push(`table ${table}: made by the migrations, not in schema.prisma`);

    for (const c of actual.columns) {
      const table = expected.tables.get(c.table_name);
      if (!table) continue;
      const want = table.columns.get(c.column_name);
      // A generated column (the memory's tsvector) is hand-written SQL that Prisma cannot declare.
      if (!want) {
        if (!c.generated) problems.push(`${c.table_name}.${c.column_name}: made by the migrations, not in schema.prisma`);
        continue;
      }
      const got = { type: columnType(c), nullable: c.nullable as boolean };
      // Prisma declares scalar lists without a nullability of their own.
      if (want.type.endsWith("[]")) got.nullable = want.nullable;
      if (got.type !== want.type || got.nullable !== want.nullable) {
        problems.push(
          `${c.table_name}.${c.column_name}: schema.prisma says ${want.type}${want.nullable ? " NULL" : " NOT NULL"}, the migrations make ${got.type}${got.nullable ? " NULL" : " NOT NULL"}`,
        );
      }
    }
    for (const [name, table] of expected.tables) {
      for (const column of table.columns.keys()) {
        if (actualTables.has(name) && !actual.columns.some((c) => c.table_name === name && c.column_name === column)) {
          problems.push(`${name}.${column}: in schema.prisma (model ${table.model}), not made by any migration`);
        }
      }
    }

    const actualEnums = new Map(actual.enums.map((e) => [e.name, e.values]));
    for (const [name, values] of expected.enums) {
      const got = actualEnums.get(name);
      if (!got) problems.push(`enum ${name}: in schema.prisma, not made by any migration`);
      else if (got.join(",") !== values.join(",")) problems.push(`enum ${name}: schema.prisma has ${values.join(", ")}; the migrations make ${got.join(", ")}`);
    }
    for (const name of actualEnums.keys()) if (!expected.enums.has(name)) problems.push(`enum ${name}: made by the migrations, not in schema.prisma`);

    for (const [name, table] of expected.tables) {
      if (!actualTables.has(name)) continue;
      const got = actual.indexes.filter((i) => i.table === name);
      const gotPlain = got.filter((i) => i.plain).map((i) => `${i.kind}(${i.columns.join(",")})`);
      for (const index of table.indexes) {
        // A unique index answers for a plain one on the same columns, and @@unique may be a
        // unique constraint or a unique index: either is what Prisma makes.
        const columns = index.replace(/^\w+/, "");
        const found = gotPlain.includes(index) || (index.startsWith("index") && gotPlain.includes(`unique${columns}`));
        if (!found) problems.push(`${name}: ${index} in schema.prisma, not made by any migration`);
      }
      for (const index of gotPlain) {
        if (!table.indexes.includes(index) && !HAND_WRITTEN_INDEXES.has(`${name}: ${index}`))
          problems.push(`${name}: ${index} made by the migrations, not in schema.prisma`);
      }
      const fks = actual.foreignKeys.filter((f) => f.table === name).map((f) => f.description);
      for (const fk of table.foreignKeys) if (!fks.includes(fk)) problems.push(`${name}: ${fk} in schema.prisma, not made by any migration`);
      for (const fk of fks) if (!table.foreignKeys.includes(fk)) problems.push(`${name}: ${fk} made by the migrations, not in schema.prisma`);
    }

    expect(problems).toEqual([]);
  });

  it("notices a schema edit that has no migration", () => {
    // The same comparison must see a change: a column added to schema.prisma alone.
    const source = readFileSync(path.join(import.meta.dirname, "../../prisma/schema.prisma"), "utf8");
    const edited = parsePrismaSchema(source.replace(/^model Tool \{/m, "model Tool {\n  nickname String?"));
    expect(edited.tables.get("tools")?.columns.get("nickname")).toEqual({ type: "text", nullable: true });
    expect(expected.tables.get("tools")?.columns.has("nickname")).toBe(false);
  });
});
