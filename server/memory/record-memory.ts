import type { Actor, RequestOrigin } from "../auth/actor";
import { checkAgentProvenance, checkProvenanceExists } from "../agents/provenance";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx, Tx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { ZRecordMemoryRequest, type RecordMemoryRequest } from "../schemas/memory";
import { entrySubjectKey } from "./subject-key";
import { ADVISORY_LOCKS } from "../db/advisory-locks";

// A new lesson this similar (trigram) to an existing one on the same subject only strengthens it.
const SAME_LESSON = 0.6;

export type RecordedMemory = { id: string; created: boolean; occurrences: number };

/**
 * Records a memory someone sent (POST /api/v1/memory). The action and task it cites must be the
 * agent's own (404 otherwise, as on /usage), so an agent cannot file its lesson under another
 * agent's work; a person may cite any action or task that exists.
 */
export async function recordMemory(db: DbOrTx, actor: Actor, request: RecordMemoryRequest, origin?: RequestOrigin): Promise<RecordedMemory> {
  const input = ZRecordMemoryRequest.parse(request);
  const named = { actionId: input.actionId ?? null, taskId: input.taskId ?? null };
  return inTransaction(db, async (tx) => {
    if (actor.type === "agent") await checkAgentProvenance(tx, actor.id, named, "NOT_FOUND");
    else await checkProvenanceExists(tx, named);
    return recordDerivedMemory(tx, actor, input, origin);
  });
}

/**
 * Records a memory, without checking its provenance: for lessons Warden derives itself (a
 * rejection's reason, a failure report), whose action and task it took from the action row.
 * Negative knowledge that repeats an existing lesson (same subject, nearly the same text)
 * strengthens that entry (one more occurrence, the latest provenance) instead of adding noise;
 * an advisory lock on the subject makes two concurrent writers agree.
 */
export async function recordDerivedMemory(db: DbOrTx, actor: Actor, request: RecordMemoryRequest, origin?: RequestOrigin): Promise<RecordedMemory> {
  const input = ZRecordMemoryRequest.parse(request);
  const key = entrySubjectKey(input.subject);
  return inTransaction(db, async (tx) => {
    if (input.kind === "negative_knowledge") {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.memorySubject}, hashtext(${key}))`;
      const [same] = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM memories
         WHERE kind = 'negative_knowledge' AND retired_at IS NULL AND subject_key = ${key}
           AND similarity(body, ${input.body}) >= ${SAME_LESSON}
           AND (scope = 'shared' OR author_agent_id = ${actor.type === "agent" ? actor.id : null}::uuid)
         ORDER BY similarity(body, ${input.body}) DESC LIMIT 1`;
      if (same) return strengthen(tx, actor, same.id, input.actionId ?? null, input.taskId ?? null, origin);
    }
    const memory = await tx.memory.create({
      data: {
        kind: input.kind,
        subject: input.subject,
        subjectKey: key,
        body: input.body,
        tags: input.tags,
        scope: input.scope,
        authorAgentId: actor.type === "agent" ? actor.id : null,
        authorLabel: actor.label,
        actionId: input.actionId ?? null,
        taskId: input.taskId ?? null,
      },
      select: { id: true },
    });
    await appendAudit(tx, {
      actor,
      verb: "memory.record",
      subject: { type: "memory", id: memory.id },
      data: { kind: input.kind, subject: input.subject, scope: input.scope, actionId: input.actionId ?? null },
      origin,
    });
    return { id: memory.id, created: true, occurrences: 1 };
  });
}

async function strengthen(tx: Tx, actor: Actor, id: string, actionId: string | null, taskId: string | null, origin?: RequestOrigin): Promise<RecordedMemory> {
  const updated = await tx.memory.update({
    where: { id },
    data: { occurrences: { increment: 1 }, lastLearnedAt: new Date(), ...(actionId ? { actionId } : {}), ...(taskId ? { taskId } : {}) },
    select: { occurrences: true },
  });
  await appendAudit(tx, { actor, verb: "memory.strengthen", subject: { type: "memory", id }, data: { occurrences: updated.occurrences, actionId }, origin });
  return { id, created: false, occurrences: updated.occurrences };
}
