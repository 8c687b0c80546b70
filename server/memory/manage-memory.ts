import type { RequestOrigin, UserActor } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import type { MemoryKind } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { AppError, notFound } from "../errors";
import { foldRecalls } from "./fold-recalls";
import type { RecallMatch } from "../schemas/memory";
import { recallMemories } from "./recall";

export type BrowseQuery = {
  q?: string;
  kind?: MemoryKind;
  /** the author's name (an agent's, or a person's for decisions from rejections) */
  agent?: string;
  tag?: string;
  sinceDays?: number;
  status: "active" | "retired";
  sort: "recent" | "most_recalled";
  limit: number;
};

/**
 * The /memory browser. A search over live entries ranks as recall does (what an agent would be
 * handed); without words, or among retired entries (kept to be restored), it lists the
 * newest or the most recalled.
 */
export async function browseMemories(db: DbOrTx, query: BrowseQuery) {
  const q = query.q?.trim();
  if (q && query.status === "active") {
    const results = await recallMemories(db, {
      q,
      agentId: null,
      kind: query.kind,
      agent: query.agent,
      tag: query.tag,
      sinceDays: query.sinceDays,
      limit: query.limit,
      weakest: "words",
    });
    return results.map((r) => ({
      id: r.id,
      kind: r.kind,
      subject: r.subject,
      body: r.body,
      tags: r.tags,
      author: r.agent,
      occurrences: r.occurrences,
      timesRecalled: null as number | null,
      score: r.score as number | null,
      createdAt: r.createdAt,
      retired: false,
      why: r.why as RecallMatch | null,
    }));
  }
  // The recall counters as of now, not as of the last background fold.
  await foldRecalls(db);
  const rows = await db.memory.findMany({
    where: {
      retiredAt: query.status === "retired" ? { not: null } : null,
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.agent ? { authorLabel: query.agent } : {}),
      ...(query.tag ? { tags: { has: query.tag } } : {}),
      ...(query.sinceDays ? { lastLearnedAt: { gte: new Date(Date.now() - query.sinceDays * 86400_000) } } : {}),
      ...(q ? { OR: [{ subject: { contains: q, mode: "insensitive" as const } }, { body: { contains: q, mode: "insensitive" as const } }] } : {}),
    },
    orderBy: query.sort === "most_recalled" ? [{ timesRecalled: "desc" }, { createdAt: "desc" }] : [{ lastLearnedAt: "desc" }],
    take: query.limit,
  });
  return rows.map((m) => ({
    id: m.id,
    kind: m.kind,
    subject: m.subject,
    body: m.body,
    tags: m.tags,
    author: m.authorLabel,
    occurrences: m.occurrences,
    timesRecalled: m.timesRecalled as number | null,
    score: null as number | null,
    createdAt: m.createdAt.toISOString(),
    retired: Boolean(m.retiredAt),
    why: null as RecallMatch | null,
  }));
}

/** For the agent's page: what it taught the fleet, and what it was handed most recently. */
export async function agentMemories(db: DbOrTx, agentId: string) {
  await foldRecalls(db);
  const [learned, recalled] = await Promise.all([
    db.memory.findMany({
      where: { authorAgentId: agentId, retiredAt: null },
      orderBy: { lastLearnedAt: "desc" },
      take: 10,
      select: { id: true, kind: true, subject: true, body: true, occurrences: true, timesRecalled: true, lastLearnedAt: true },
    }),
    db.$queryRaw<{ id: string; kind: MemoryKind; subject: string; body: string; author_label: string; action_id: string | null; at: Date; score: number }[]>`
      SELECT m.id, m.kind, m.subject, m.body, m.author_label, r.action_id, r.at, r.score
        FROM (SELECT DISTINCT ON (memory_id) memory_id, action_id, at, score FROM memory_recalls
               WHERE agent_id = ${agentId}::uuid AND at > now() - interval '30 days'
               ORDER BY memory_id, at DESC) r
        JOIN memories m ON m.id = r.memory_id
       ORDER BY r.at DESC LIMIT 10`,
  ]);
  return { learned, recalled };
}

/** One entry with its provenance (action, task, author), its recalls, earlier versions and merges. */
export async function memoryDetail(db: DbOrTx, id: string) {
  await foldRecalls(db, { memoryIds: [id] });
  const memory = await db.memory.findUnique({ where: { id } });
  if (!memory) throw notFound("memory", id);
  const [action, task, recalls, versions, supersededBy, mergedFrom, learned, changedDecisions] = await Promise.all([
    memory.actionId
      ? db.action.findUnique({ where: { id: memory.actionId }, select: { id: true, action: true, status: true, agent: { select: { id: true, name: true } } } })
      : null,
    memory.taskId ? db.task.findUnique({ where: { id: memory.taskId }, select: { id: true, title: true, status: true } }) : null,
    db.memoryRecall.count({ where: { memoryId: id } }),
    db.memoryVersion.findMany({ where: { memoryId: id }, orderBy: { version: "desc" } }),
    memory.supersededById ? db.memory.findUnique({ where: { id: memory.supersededById }, select: { id: true, subject: true } }) : null,
    db.memory.findMany({ where: { supersededById: id }, select: { id: true, subject: true }, orderBy: { createdAt: "asc" } }),
    // Every time the lesson was learned (repeats strengthen one entry): its provenance, newest first.
    db.memoryOccurrence.findMany({ where: { memoryId: id }, orderBy: { at: "desc" }, take: 50 }),
    // The decisions this lesson made stricter: handed as a matching failure, and without it the answer would have been laxer.
    db.$queryRaw<{ action_id: string; action: string; decision: string; status: string; agent: string; at: Date }[]>`
      SELECT a.id AS action_id, a.action, a.decision::text AS decision, a.status::text AS status, g.name AS agent, r.at
        FROM memory_recalls r JOIN actions a ON a.id = r.action_id JOIN agents g ON g.id = a.agent_id
       WHERE r.memory_id = ${id}::uuid AND r.changed_decision
       ORDER BY r.at DESC LIMIT 20`,
  ]);
  return {
    memory,
    action,
    task,
    recalls,
    versions: versions.map((v) => ({ ...v, id: String(v.id) })),
    supersededBy,
    mergedFrom,
    learned: learned.map((o) => ({ ...o, id: String(o.id) })),
    changedDecisions: changedDecisions.map((d) => ({
      actionId: d.action_id,
      action: d.action,
      decision: d.decision,
      status: d.status,
      agent: d.agent,
      at: d.at.toISOString(),
    })),
  };
}

/** Retire (never delete: it stays for the audit trail, out of every recall) or restore. */
export async function setMemoryRetired(db: DbOrTx, actor: UserActor, id: string, retired: boolean, origin?: RequestOrigin) {
  return inTransaction(db, async (tx) => {
    // Locked like an edit or a merge, so the three cannot interleave on one entry.
    await tx.$queryRaw`SELECT id FROM memories WHERE id = ${id}::uuid FOR UPDATE`;
    const memory = await tx.memory.findUnique({ where: { id } });
    if (!memory) throw notFound("memory", id);
    if (Boolean(memory.retiredAt) === retired) throw new AppError("CONFLICT", `The memory is already ${retired ? "retired" : "active"}`);
    await tx.memory.update({ where: { id }, data: retired ? { retiredAt: new Date(), retiredBy: actor.label } : { retiredAt: null, retiredBy: null } });
    await appendAudit(tx, {
      actor,
      verb: retired ? "memory.retire" : "memory.restore",
      subject: { type: "memory", id },
      data: { subject: memory.subject, kind: memory.kind },
      origin,
    });
    return { id, retired };
  });
}
