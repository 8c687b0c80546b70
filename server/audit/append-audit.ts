import type { Actor, RequestOrigin } from "../auth/actor";
import type { DbOrTx } from "../db/client";
import type { Prisma } from "../db/generated/client";

export type AuditEntry = {
  actor: Actor;
  verb: string;
  subject?: { type: string; id: string };
  data?: Prisma.InputJsonObject;
  origin?: RequestOrigin;
};

/**
 * Appends one row to the audit log inside the caller's transaction, so the row exists exactly
 * when the change does (and vanishes with it on rollback). The sealer links it into the hash
 * chain once the transaction has ended (server/audit/seal-audit.ts).
 */
export async function appendAudit(tx: DbOrTx, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: {
      actorType: entry.actor.type,
      actorId: entry.actor.id,
      actorLabel: entry.actor.label,
      verb: entry.verb,
      subjectType: entry.subject?.type ?? null,
      subjectId: entry.subject?.id ?? null,
      data: entry.data ?? {},
      ip: entry.origin?.ip ?? null,
    },
    select: { id: true },
  });
}
