import type { RequestOrigin, UserActor } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import type { Prisma, TaskStatus } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { AppError, notFound } from "../errors";
import { publish } from "../events/bus";
import { toTaskView } from "./task-view";
import { showableJson } from "../lib/showable-json";

export async function listTasks(db: DbOrTx, query: { status?: TaskStatus; capability?: string; limit?: number }) {
  const where: Prisma.TaskWhereInput = { ...(query.status ? { status: query.status } : {}), ...(query.capability ? { capability: query.capability } : {}) };
  const tasks = await db.task.findMany({ where, orderBy: [{ createdAt: "desc" }], take: query.limit ?? 100 });
  const agents = new Map(
    (
      await db.agent.findMany({ where: { id: { in: tasks.map((t) => t.leasedBy).filter((x): x is string => x !== null) } }, select: { id: true, name: true } })
    ).map((a) => [a.id, a.name]),
  );
  return tasks.map((t) => ({ ...toTaskView(t), agent: t.leasedBy ? (agents.get(t.leasedBy) ?? null) : null }));
}

/** A task with its subtask tree (two levels) and its timeline. */
export async function taskDetail(db: DbOrTx, id: string) {
  const task = await db.task.findUnique({
    where: { id },
    include: { events: { orderBy: { id: "asc" } }, children: { include: { children: true }, orderBy: { createdAt: "asc" } } },
  });
  if (!task) throw notFound("task", id);
  const agentIds = [task.leasedBy, ...task.events.map((e) => e.agentId)].filter((x): x is string => x !== null);
  const names = new Map((await db.agent.findMany({ where: { id: { in: agentIds } }, select: { id: true, name: true } })).map((a) => [a.id, a.name]));
  return {
    task: { ...toTaskView(task), agent: task.leasedBy ? (names.get(task.leasedBy) ?? null) : null },
    children: task.children.map((c) => ({ ...toTaskView(c), children: c.children.map(toTaskView) })),
    events: task.events.map((e) => ({
      id: e.id.toString(),
      type: e.type,
      agent: e.agentId ? (names.get(e.agentId) ?? e.agentId) : null,
      data: showableJson(e.data),
      at: e.at,
    })),
  };
}

/** Operators' hands on the queue: cancel, requeue (also from the dead-letter list), reprioritize. */
export async function operateOnTask(
  db: DbOrTx,
  actor: UserActor,
  id: string,
  operation: { kind: "cancel" } | { kind: "requeue" } | { kind: "reprioritize"; priority: number },
  origin?: RequestOrigin,
) {
  return inTransaction(db, async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM tasks WHERE id = ${id}::uuid FOR UPDATE`;
    if (rows.length === 0) throw notFound("task", id);
    const current = await tx.task.findUniqueOrThrow({ where: { id } });
    let data: Prisma.TaskUpdateInput;
    if (operation.kind === "cancel") {
      if (["succeeded", "failed", "cancelled", "dead"].includes(current.status)) throw new AppError("CONFLICT", `The task is already ${current.status}`);
      data = { status: "cancelled", leaseExpiresAt: null, completedAt: new Date() };
    } else if (operation.kind === "requeue") {
      if (["queued", "leased", "running"].includes(current.status)) throw new AppError("CONFLICT", `The task is ${current.status}: nothing to requeue`);
      data = { status: "queued", leasedBy: null, leaseExpiresAt: null, completedAt: null, attempts: 0 };
    } else {
      data = { priority: operation.priority };
    }
    const task = await tx.task.update({ where: { id }, data });
    await tx.taskEvent.create({
      data: { taskId: id, type: operation.kind, data: { by: actor.label, ...(operation.kind === "reprioritize" ? { priority: operation.priority } : {}) } },
    });
    await publish(tx, { type: "task.changed", taskId: id, status: task.status, agentId: null });
    if (task.status === "queued") await publish(tx, { type: "task.queued", taskId: id, capability: task.capability });
    await appendAudit(tx, {
      actor,
      verb: `task.${operation.kind}`,
      subject: { type: "task", id },
      data: { from: current.status, ...(operation.kind === "reprioritize" ? { priority: operation.priority } : {}) },
      origin,
    });
    return toTaskView(task);
  });
}
