import type { RequestOrigin, UserActor } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { AppError, notFound } from "../errors";
import { foldRecalls } from "./fold-recalls";
import { ZMergeMemoriesRequest, type MergeMemoriesRequest } from "../schemas/memory";

type Locked = { id: string; kind: string; retired_at: Date | null };

/**
 * Folds duplicates into the entry a person keeps. The kept entry gains their occurrences,
 * recall counts, tags and latest dates; the duplicates are retired (never deleted) and point to
 * it as superseded_by, so their history and provenance stay readable. All the rows are locked in
 * id order first, so a merge racing an edit, a retire or another merge waits instead of mixing.
 */
export async function mergeMemories(db: DbOrTx, actor: UserActor, request: MergeMemoriesRequest, origin?: RequestOrigin) {
  const input = ZMergeMemoriesRequest.parse(request);
  if (input.duplicateIds.includes(input.keepId)) {
    throw new AppError("BAD_REQUEST", "An entry cannot be merged into itself", { details: [{ field: "duplicateIds", message: "contains the kept entry" }] });
  }
  const ids = [input.keepId, ...input.duplicateIds];
  return inTransaction(db, async (tx) => {
    // Their logged recalls first, so the counts added up below are complete.
    await foldRecalls(tx, { memoryIds: ids });
    const locked = await tx.$queryRaw<Locked[]>`
      SELECT id, kind::text AS kind, retired_at FROM memories WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
    const byId = new Map(locked.map((row) => [row.id, row]));
    for (const id of ids) if (!byId.has(id)) throw notFound("memory", id);
    const keep = byId.get(input.keepId)!;
    for (const row of locked) {
      if (row.retired_at) throw new AppError("CONFLICT", `Memory ${row.id} is retired: only live entries merge`, { details: { id: row.id } });
      if (row.kind !== keep.kind)
        throw new AppError("CONFLICT", `Memory ${row.id} is ${row.kind.replace("_", " ")}, not ${keep.kind.replace("_", " ")}: only entries of one kind merge`);
    }
    await tx.$executeRaw`
      UPDATE memories k SET
        occurrences = k.occurrences + d.occurrences,
        times_recalled = k.times_recalled + d.times_recalled,
        last_learned_at = greatest(k.last_learned_at, d.last_learned_at),
        last_recalled_at = greatest(k.last_recalled_at, d.last_recalled_at),
        tags = (SELECT coalesce(array_agg(DISTINCT t ORDER BY t), '{}') FROM unnest(k.tags || d.tags) t),
        updated_at = now()
      FROM (SELECT sum(occurrences)::int AS occurrences, sum(times_recalled)::int AS times_recalled,
                   max(last_learned_at) AS last_learned_at, max(last_recalled_at) AS last_recalled_at,
                   coalesce(array_agg(DISTINCT t) FILTER (WHERE t IS NOT NULL), '{}') AS tags
              FROM memories LEFT JOIN LATERAL unnest(tags) t ON TRUE WHERE id = ANY(${input.duplicateIds}::uuid[])) d
      WHERE k.id = ${input.keepId}::uuid`;
    // The kept entry lists every time its duplicates were learned too (their provenance).
    await tx.$executeRaw`
      INSERT INTO memory_occurrences (memory_id, action_id, task_id, author_label, body, at)
      SELECT ${input.keepId}::uuid, action_id, task_id, author_label, body, at FROM memory_occurrences
       WHERE memory_id = ANY(${input.duplicateIds}::uuid[]) ORDER BY at`;
    await tx.$executeRaw`
      UPDATE memories SET retired_at = now(), retired_by = ${actor.label}, superseded_by_id = ${input.keepId}::uuid, updated_at = now()
       WHERE id = ANY(${input.duplicateIds}::uuid[])`;
    await appendAudit(tx, {
      actor,
      verb: "memory.merge",
      subject: { type: "memory", id: input.keepId },
      data: { merged: input.duplicateIds },
      origin,
    });
    return tx.memory.findUniqueOrThrow({ where: { id: input.keepId } });
  });
}

/** Live entries of the same kind that look like this one (subject and text), to offer for merging. */
export async function findDuplicateCandidates(db: DbOrTx, id: string) {
  const memory = await db.memory.findUnique({ where: { id }, select: { id: true, kind: true, subjectKey: true, body: true } });
  if (!memory) throw notFound("memory", id);
  return db.$queryRaw<{ id: string; subject: string; body: string; occurrences: number; author_label: string; likeness: number }[]>(Prisma.sql`
    SELECT id, subject, body, occurrences, author_label,
           (0.5 * similarity(subject_key, ${memory.subjectKey}) + 0.5 * similarity(body, ${memory.body}))::float8 AS likeness
      FROM memories
     WHERE retired_at IS NULL AND kind = ${memory.kind}::"MemoryKind" AND id <> ${memory.id}::uuid
       AND subject_key % ${memory.subjectKey}
     ORDER BY likeness DESC, occurrences DESC
     LIMIT 10`);
}
