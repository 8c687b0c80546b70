import type { RequestOrigin, UserActor } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { AppError, notFound } from "../errors";
import { describeChanges } from "../lib/describe-changes";
import { ZEditMemoryRequest, type EditMemoryRequest } from "../schemas/memory";
import { describeSubjectText } from "./describe-subject";
import { topicColumns } from "./record-memory";
import { entrySubjectKey } from "./subject-key";

/**
 * A person corrects an entry. The text it replaces is kept as a numbered version (never lost),
 * the edit is audited with its changes, and an edit made on an outdated version is refused so
 * two editors cannot silently overwrite each other.
 */
export async function editMemory(db: DbOrTx, actor: UserActor, request: EditMemoryRequest, origin?: RequestOrigin) {
  const input = ZEditMemoryRequest.parse(request);
  return inTransaction(db, async (tx) => {
    await tx.$queryRaw`SELECT id FROM memories WHERE id = ${input.id}::uuid FOR UPDATE`;
    const current = await tx.memory.findUnique({ where: { id: input.id } });
    if (!current) throw notFound("memory", input.id);
    if (current.retiredAt) throw new AppError("CONFLICT", "The memory is retired: restore it before editing");
    if (current.version !== input.version) {
      throw new AppError("CONFLICT", `The memory changed since you opened it (now version ${current.version}); reload and edit again`, {
        details: { version: current.version },
      });
    }
    const before = { kind: current.kind, subject: current.subject, body: current.body, tags: current.tags };
    const after = {
      kind: input.kind ?? current.kind,
      subject: input.subject ?? current.subject,
      body: input.body ?? current.body,
      tags: input.tags ?? current.tags,
    };
    const changes = describeChanges(before, after);
    if (changes.length === 0) throw new AppError("BAD_REQUEST", "Nothing changed", { details: [{ field: "body", message: "is the same as before" }] });
    // Who wrote the text being replaced: the entry's author for version 1, else its last editor.
    const previous = await tx.memoryVersion.findFirst({ where: { memoryId: current.id }, orderBy: { version: "desc" } });
    await tx.memoryVersion.create({
      data: {
        memoryId: current.id,
        version: current.version,
        ...before,
        author: previous?.replacedBy ?? current.authorLabel,
        at: previous?.replacedAt ?? current.createdAt,
        replacedBy: actor.label,
        note: input.note ?? null,
      },
    });
    const updated = await tx.memory.update({
      where: { id: current.id },
      // A new subject is a new topic; an unchanged one keeps the topic it was filed under (read
      // from its action's words, tool and resource when Warden derived it).
      data: {
        ...after,
        subjectKey: entrySubjectKey(after.subject),
        ...(after.subject !== current.subject ? topicColumns(describeSubjectText(after.subject)) : {}),
        version: current.version + 1,
      },
    });
    await appendAudit(tx, {
      actor,
      verb: "memory.edit",
      subject: { type: "memory", id: current.id },
      data: { version: updated.version, changes, note: input.note ?? null },
      origin,
    });
    return updated;
  });
}
