import type { DbOrTx } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { ZAuditQuery, type AuditQuery } from "../schemas/audit";
import { showableJson } from "../lib/showable-json";

export type AuditRow = {
  id: string;
  at: Date;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  verb: string;
  subjectType: string | null;
  subjectId: string | null;
  data: Prisma.JsonValue;
  ip: string | null;
  /** null until the sealer has linked the row into the chain (well under a second). */
  hash: string | null;
};

/**
 * Newest first, keyset-paginated on id (never OFFSET), so page 1,000 costs what page 1 does.
 * Each filter has an index that leads with it and ends with id: actor label, verb (exact, or
 * a prefix with a trailing `*` such as `agent.*`), subject id; the time range bounds `at`.
 */
export async function listAudit(db: DbOrTx, query: AuditQuery): Promise<{ rows: AuditRow[]; nextCursor: string | null }> {
  const q = ZAuditQuery.parse(query);
  const where: Prisma.AuditLogWhereInput = {};
  if (q.actor) where.actorLabel = q.actor;
  if (q.verb) where.verb = q.verb.endsWith("*") ? { startsWith: q.verb.slice(0, -1) } : q.verb;
  if (q.subject) where.subjectId = q.subject;
  if (q.from || q.to) where.at = { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lte: q.to } : {}) };
  if (q.cursor) where.id = { lt: BigInt(q.cursor) };
  const rows = await db.auditLog.findMany({
    where,
    orderBy: { id: "desc" },
    take: q.limit + 1,
    select: {
      id: true,
      at: true,
      actorType: true,
      actorId: true,
      actorLabel: true,
      verb: true,
      subjectType: true,
      subjectId: true,
      data: true,
      ip: true,
    },
  });
  const pageRows = rows.slice(0, q.limit);
  const seals = await db.auditChain.findMany({
    where: { auditId: { in: pageRows.map((r) => r.id) } },
    select: { auditId: true, hash: true },
  });
  const hashById = new Map(seals.map((s) => [s.auditId, s.hash]));
  const page = pageRows.map((r) => ({ ...r, id: r.id.toString(), data: showableJson(r.data), hash: hashById.get(r.id) ?? null }));
  return { rows: page, nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
}
