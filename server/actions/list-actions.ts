import type { DbOrTx } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { ZActionsQuery } from "../schemas/actions";
import { ACTION_VIEW_INCLUDE, toActionView } from "./action-view";
import { showableJson } from "../lib/showable-json";

type ActionsQuery = Parameters<typeof ZActionsQuery.parse>[0];

/** Every action, newest first, keyset-paginated on (created_at, id). */
export async function listActions(db: DbOrTx, query: ActionsQuery) {
  const q = ZActionsQuery.parse(query);
  const where: Prisma.ActionWhereInput = {
    ...(q.agent ? { agent: { name: q.agent } } : {}),
    ...(q.tool ? { tool: q.tool } : {}),
    ...(q.decision ? { decision: q.decision } : {}),
    ...(q.status ? { status: q.status } : {}),
  };
  if (q.cursor) {
    const [at, id] = q.cursor.split("|") as [string, string];
    where.OR = [{ createdAt: { lt: new Date(at) } }, { createdAt: new Date(at), id: { lt: id } }];
  }
  const rows = await db.action.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
    include: ACTION_VIEW_INCLUDE,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toActionView),
    nextCursor: rows.length > q.limit && last ? `${last.createdAt.toISOString()}|${last.id}` : null,
  };
}

/** An action's life from the audit log: proposed, decided, voted, executed, result. */
export async function actionTimeline(db: DbOrTx, actionId: string) {
  const rows = await db.auditLog.findMany({
    where: { subjectId: actionId },
    orderBy: { id: "asc" },
    select: { id: true, at: true, verb: true, actorType: true, actorLabel: true, data: true },
  });
  return rows.map((r) => ({ ...r, id: r.id.toString(), data: showableJson(r.data) }));
}
