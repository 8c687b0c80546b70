import type { RequestOrigin, UserActor } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import type { MemoryKind } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { AppError, notFound } from "../errors";
import { recallMemories } from "./recall";

/** The /memory browser: a search (recall ranking, as a person sees it) or the newest / most recalled. */
export async function browseMemories(db: DbOrTx, query: { q?: string; kind?: MemoryKind; tag?: string; sort: "recent" | "most_recalled"; limit: number }) {
  if (query.q && query.q.trim()) {
    const results = await recallMemories(db, { q: query.q, agentId: null, kind: query.kind, tag: query.tag, limit: query.limit });
    return results.map((r) => ({ id: r.id, kind: r.kind, subject: r.subject, body: r.body, tags: r.tags, author: r.agent, occurrences: r.occurrences, timesRecalled: null as number | null, score: r.score, createdAt: r.createdAt, retired: false }));
  }
  const rows = await db.memory.findMany({
    where: { retiredAt: null, ...(query.kind ? { kind: query.kind } : {}), ...(query.tag ? { tags: { has: query.tag } } : {}) },
    orderBy: query.sort === "most_recalled" ? [{ timesRecalled: "desc" }, { createdAt: "desc" }] : [{ lastLearnedAt: "desc" }],
    take: query.limit,
  });
  return rows.map((m) => ({ id: m.id, kind: m.kind, subject: m.subject, body: m.body, tags: m.tags, author: m.authorLabel, occurrences: m.occurrences, timesRecalled: m.timesRecalled as number | null, score: null as number | null, createdAt: m.createdAt.toISOString(), retired: false }));
}

/** One entry with its provenance: the action and task it came from, its author, its recalls. */
export async function memoryDetail(db: DbOrTx, id: string) {
  const memory = await db.memory.findUnique({ where: { id } });
  if (!memory) throw notFound("memory", id);
  const [action, task, recalls] = await Promise.all([
    memory.actionId ? db.action.findUnique({ where: { id: memory.actionId }, select: { id: true, action: true, status: true, agent: { select: { id: true, name: true } } } }) : null,
    memory.taskId ? db.task.findUnique({ where: { id: memory.taskId }, select: { id: true, title: true, status: true } }) : null,
    db.memoryRecall.count({ where: { memoryId: id } }),
  ]);
  return { memory, action, task, recalls };
}

/** Retire (never delete: it stays for the audit trail, out of every recall) or restore. */
export async function setMemoryRetired(db: DbOrTx, actor: UserActor, id: string, retired: boolean, origin?: RequestOrigin) {
  return inTransaction(db, async (tx) => {
    const memory = await tx.memory.findUnique({ where: { id } });
    if (!memory) throw notFound("memory", id);
    if (Boolean(memory.retiredAt) === retired) throw new AppError("CONFLICT", `The memory is already ${retired ? "retired" : "active"}`);
    await tx.memory.update({ where: { id }, data: retired ? { retiredAt: new Date(), retiredBy: actor.label } : { retiredAt: null, retiredBy: null } });
    await appendAudit(tx, { actor, verb: retired ? "memory.retire" : "memory.restore", subject: { type: "memory", id }, data: { subject: memory.subject, kind: memory.kind }, origin });
    return { id, retired };
  });
}
