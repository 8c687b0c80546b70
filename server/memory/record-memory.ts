import type { Actor, RequestOrigin } from "../auth/actor";
import { checkAgentProvenance, checkProvenanceExists } from "../agents/provenance";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx, Tx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { ZRecordMemoryRequest, type RecordMemoryRequest } from "../schemas/memory";
import { Prisma } from "../db/generated/client";
import { describeAction, describeSubjectText, type SubjectTopic } from "./describe-subject";
import { entrySubjectKey } from "./subject-key";
import { ADVISORY_LOCKS } from "../db/advisory-locks";

// A new lesson this similar (trigram) to an existing one on the same topic only strengthens it.
const SAME_LESSON = 0.6;
// What a lesson says, without who said it: the decisions learned from rejections all begin
// "Rejected by <approver>:", which would otherwise make two approvers' same reason differ.
const LESSON_TEXT = (text: Prisma.Sql) => Prisma.sql`regexp_replace(${text}, '^Rejected by [^:]*: ', '')`;

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
 * rejection's reason, a failure report), whose action and task it took from the action row,
 * and which pass that action as `about` (its topic is then read from the action's words, tool
 * and resource rather than from the fitted subject text).
 * A lesson that repeats a live one of the same kind (same topic: operation, environment and
 * resource names; nearly the same text once a rejection's "Rejected by …:" is set aside)
 * strengthens that entry (one more occurrence, its provenance logged in memory_occurrences)
 * instead of adding a copy that would crowd recall; an advisory lock on the topic makes two
 * concurrent writers agree.
 */
export async function recordDerivedMemory(
  db: DbOrTx,
  actor: Actor,
  request: RecordMemoryRequest,
  origin?: RequestOrigin,
  about?: { action: string; tool: string | null; resource: string | null },
): Promise<RecordedMemory> {
  const input = ZRecordMemoryRequest.parse(request);
  const key = entrySubjectKey(input.subject);
  const topic = about ? describeAction(about) : describeSubjectText(input.subject);
  const provenance = { actionId: input.actionId ?? null, taskId: input.taskId ?? null };
  return inTransaction(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.memorySubject}, hashtext(${topic.topicKey}))`;
    const [same] = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM memories
       WHERE kind = ${input.kind}::"MemoryKind" AND retired_at IS NULL AND topic_key = ${topic.topicKey}
         AND similarity(${LESSON_TEXT(Prisma.sql`body`)}, ${LESSON_TEXT(Prisma.sql`${input.body}::text`)}) >= ${SAME_LESSON}
         AND scope = ${input.scope}::"MemoryScope"
         AND (scope = 'shared' OR author_agent_id = ${actor.type === "agent" ? actor.id : null}::uuid)
       ORDER BY similarity(body, ${input.body}) DESC, occurrences DESC LIMIT 1`;
    if (same) return strengthen(tx, actor, same.id, input.body, provenance, origin);
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
        ...provenance,
        ...topicColumns(topic),
        occurrenceLog: { create: { ...provenance, authorLabel: actor.label, body: input.body } },
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

/** The columns recall matches by, for an entry about this topic. */
export function topicColumns(topic: SubjectTopic) {
  return { operation: topic.operation, environment: topic.environment, names: topic.names, topicKey: topic.topicKey };
}

async function strengthen(
  tx: Tx,
  actor: Actor,
  id: string,
  body: string,
  provenance: { actionId: string | null; taskId: string | null },
  origin?: RequestOrigin,
): Promise<RecordedMemory> {
  const updated = await tx.memory.update({
    where: { id },
    data: {
      occurrences: { increment: 1 },
      lastLearnedAt: new Date(),
      ...(provenance.actionId ? { actionId: provenance.actionId } : {}),
      ...(provenance.taskId ? { taskId: provenance.taskId } : {}),
      occurrenceLog: { create: { ...provenance, authorLabel: actor.label, body } },
    },
    select: { occurrences: true },
  });
  await appendAudit(tx, {
    actor,
    verb: "memory.strengthen",
    subject: { type: "memory", id },
    data: { occurrences: updated.occurrences, actionId: provenance.actionId },
    origin,
  });
  return { id, created: false, occurrences: updated.occurrences };
}
