/**
 * What prisma/schema.prisma says the database looks like, read without Prisma's schema engine
 * (a native binary these machines cannot download, see /work/shared/STYLE.md): tables with their
 * columns' PostgreSQL types and nullability, enums with their values, and the primary keys,
 * unique constraints, indexes and foreign keys Prisma would create. Only the subset of the
 * schema language Warden uses is understood; anything else fails loudly, so a new construct
 * is noticed rather than skipped.
 */

export type ExpectedColumn = { type: string; nullable: boolean };
export type ExpectedTable = {
  model: string;
  columns: Map<string, ExpectedColumn>;
  /** "pk(a,b)", "unique(a)", "index(a,b)" */
  indexes: string[];
  /** "fk(a) -> table(b) on delete cascade" */
  foreignKeys: string[];
};
export type ExpectedSchema = { tables: Map<string, ExpectedTable>; enums: Map<string, string[]> };

const SCALARS: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Float: "double precision",
  Decimal: "numeric(65,30)",
  Boolean: "boolean",
  DateTime: "timestamp(3)",
  Json: "jsonb",
  Bytes: "bytea",
};

/** `@db.X(args)` -> the PostgreSQL type information_schema reports (see actualSchema). */
function nativeType(name: string, args: string | undefined): string {
  switch (name) {
    case "Uuid":
      return "uuid";
    case "Text":
      return "text";
    case "VarChar":
      return args ? `character varying(${args})` : "character varying";
    case "Date":
      return "date";
    case "Timestamptz":
      return `timestamp with time zone(${args ?? "6"})`;
    case "Timestamp":
      return `timestamp(${args ?? "6"})`;
    case "Decimal":
      return `numeric(${(args ?? "65,30").replace(/\s/g, "")})`;
    case "SmallInt":
      return "smallint";
    case "Integer":
      return "integer";
    case "DoublePrecision":
      return "double precision";
    case "Real":
      return "real";
    case "JsonB":
      return "jsonb";
    case "Json":
      return "json";
    default:
      throw new Error(`schema.prisma: @db.${name} is not understood by tests/support/prisma-schema.ts; teach it`);
  }
}

const snake = (names: string[], fieldColumn: Map<string, string>) => names.map((n) => fieldColumn.get(n) ?? n);
const list = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    // `fieldName(sort: Desc)` and `fieldName(ops: ...)`: the column is the name.
    .map((s) => s.replace(/\(.*\)$/, ""));

/** The text between the parentheses of `@name(...)`, nested parentheses included. */
function attributeArguments(attributes: string, name: string): string | undefined {
  const start = attributes.indexOf(`${name}(`);
  if (start < 0) return undefined;
  let depth = 0;
  for (let i = start + name.length; i < attributes.length; i++) {
    if (attributes[i] === "(") depth++;
    else if (attributes[i] === ")" && --depth === 0) return attributes.slice(start + name.length + 1, i);
  }
  throw new Error(`schema.prisma: unbalanced ${name}(…) in ${attributes}`);
}

export function parsePrismaSchema(source: string): ExpectedSchema {
  // Comments out (`///` docs and `//`), but not inside strings (a default could hold "//").
  const text = source.replace(/^\s*\/\/.*$/gm, "").replace(/\s\/\/[^"\n]*$/gm, "");
  const enums = new Map<string, string[]>();
  for (const [, name, body] of text.matchAll(/^enum\s+(\w+)\s*\{\n([\s\S]*?)^\}/gm)) {
    const values = body!
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("@@"));
    const mapped = /@@map\("([^"]+)"\)/.exec(body!)?.[1];
    if (values.some((v) => !/^\w+$/.test(v))) throw new Error(`schema.prisma: enum ${name} uses @map on a value; teach tests/support/prisma-schema.ts`);
    enums.set(mapped ?? name!, values);
  }

  // A block ends at the first line that is only `}` (a default such as "{}" may hold braces).
  const blocks = [...text.matchAll(/^model\s+(\w+)\s*\{\n([\s\S]*?)^\}/gm)].map(([, name, body]) => ({ name: name!, body: body! }));
  const modelNames = new Set(blocks.map((b) => b.name));
  const tableOf = new Map(blocks.map((b) => [b.name, /@@map\("([^"]+)"\)/.exec(b.body)?.[1] ?? b.name]));
  const columnsOf = new Map<string, Map<string, string>>();
  for (const block of blocks) {
    const fieldColumn = new Map<string, string>();
    for (const line of block.body.split("\n").map((l) => l.trim())) {
      const field = /^(\w+)\s+(\S+)/.exec(line);
      if (!field || line.startsWith("@@")) continue;
      fieldColumn.set(field[1]!, /@map\("([^"]+)"\)/.exec(line)?.[1] ?? field[1]!);
    }
    columnsOf.set(block.name, fieldColumn);
  }

  const tables = new Map<string, ExpectedTable>();
  for (const block of blocks) {
    const fieldColumn = columnsOf.get(block.name)!;
    const table: ExpectedTable = { model: block.name, columns: new Map(), indexes: [], foreignKeys: [] };
    for (const line of block.body.split("\n").map((l) => l.trim())) {
      if (!line) continue;
      if (line.startsWith("@@")) {
        const attribute = /^@@(\w+)\(\[([^\]]*)\]/.exec(line);
        if (/^@@map\(/.test(line)) continue;
        if (!attribute) throw new Error(`schema.prisma: ${block.name}: ${line} is not understood by tests/support/prisma-schema.ts`);
        const kind = { id: "pk", unique: "unique", index: "index" }[attribute[1]!];
        if (!kind) throw new Error(`schema.prisma: ${block.name}: @@${attribute[1]} is not understood by tests/support/prisma-schema.ts`);
        if (/type:\s*(?!BTree)/.test(line) || /where:/.test(line))
          throw new Error(`schema.prisma: ${block.name}: ${line}: only plain btree indexes are understood`);
        table.indexes.push(`${kind}(${snake(list(attribute[2]!), fieldColumn).join(",")})`);
        continue;
      }
      const field = /^(\w+)\s+(Unsupported\("[^"]+"\)|\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!field) throw new Error(`schema.prisma: ${block.name}: ${line} is not understood by tests/support/prisma-schema.ts`);
      const [, name, type, isList, optional, attributes] = field as unknown as [string, string, string, string | undefined, string | undefined, string];
      const column = fieldColumn.get(name)!;
      if (modelNames.has(type)) {
        const relation = attributeArguments(attributes, "@relation");
        const fields = relation && /fields:\s*\[([^\]]*)\]/.exec(relation)?.[1];
        if (!fields) continue; // the other side of a relation: no column
        const references = /references:\s*\[([^\]]*)\]/.exec(relation)![1]!;
        const onDelete = /onDelete:\s*(\w+)/.exec(relation)?.[1] ?? (optional ? "SetNull" : "Restrict");
        const target = columnsOf.get(type)!;
        table.foreignKeys.push(
          `fk(${snake(list(fields), fieldColumn).join(",")}) -> ${tableOf.get(type)}(${snake(list(references), target).join(",")}) on delete ${onDelete.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()}`,
        );
        continue;
      }
      let pgType: string;
      const unsupported = /^Unsupported\("([^"]+)"\)$/.exec(type);
      const db = /@db\.(\w+)(?:\(([^)]*)\))?/.exec(attributes);
      if (unsupported) pgType = unsupported[1]!;
      else if (enums.has(type)) pgType = `enum ${type}`;
      else if (db) pgType = nativeType(db[1]!, db[2]);
      else if (SCALARS[type]) pgType = SCALARS[type];
      else throw new Error(`schema.prisma: ${block.name}.${name}: type ${type} is not understood by tests/support/prisma-schema.ts`);
      table.columns.set(column, { type: isList ? `${pgType}[]` : pgType, nullable: Boolean(optional) });
      if (/@id\b/.test(attributes)) table.indexes.push(`pk(${column})`);
      if (/@unique\b/.test(attributes)) table.indexes.push(`unique(${column})`);
    }
    tables.set(tableOf.get(block.name)!, table);
  }
  return { tables, enums };
}
