import type { Actor, RequestOrigin, RolelessUserActor } from "../auth/actor";
import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";

export type AuditEntry = {
  actor: Actor | RolelessUserActor;
  verb: string;
  subject?: { type: string; id: string };
  data?: Prisma.InputJsonObject;
  origin?: RequestOrigin;
};

/** The INSERT of one audit row, for appendAudit and for single-statement writes. */
export function auditInsertSql(entry: AuditEntry): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO audit_log (actor_type, actor_id, actor_label, verb, subject_type, subject_id, data, ip)
    VALUES (${entry.actor.type}, ${entry.actor.id}, ${entry.actor.label}, ${entry.verb}, ${entry.subject?.type ?? null},
            ${entry.subject?.id ?? null}, ${JSON.stringify(entry.data ?? {})}::jsonb, ${entry.origin?.ip ?? null})`;
}

/**
 * Appends one row to the audit log inside the caller's transaction, so the row exists exactly
 * when the change does (and vanishes with it on rollback). The sealer links it into the hash
 * chain once the transaction has ended (server/audit/seal-audit.ts).
 */
export async function appendAudit(tx: DbOrTx, entry: AuditEntry): Promise<void> {
  await tx.$executeRaw(auditInsertSql(entry));
}
