import type { DbOrTx } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { ZInboxQuery } from "../schemas/actions";
import { ACTION_VIEW_INCLUDE, toActionView } from "../actions/action-view";

type InboxQuery = Parameters<typeof ZInboxQuery.parse>[0];

/** The approval inbox: pending actions, filtered and sorted (each sort has a partial index). */
export async function listPendingApprovals(db: DbOrTx, query: InboxQuery) {
  const q = ZInboxQuery.parse(query);
  const where: Prisma.ActionWhereInput = {
    status: "pending_approval",
    ...(q.agent ? { agent: { name: q.agent } } : {}),
    ...(q.tool ? { tool: q.tool } : {}),
    ...(q.risk ? { risk: q.risk } : {}),
  };
  const orderBy: Prisma.ActionOrderByWithRelationInput[] =
    q.sort === "newest"
      ? [{ createdAt: "desc" }]
      : q.sort === "risk"
        ? [{ risk: "desc" }, { createdAt: "asc" }]
        : q.sort === "confidence"
          ? [{ confidence: "asc" }, { createdAt: "asc" }]
          : [{ createdAt: "asc" }];
  const [items, total] = await Promise.all([db.action.findMany({ where, orderBy, take: q.limit, include: ACTION_VIEW_INCLUDE }), db.action.count({ where })]);
  return { total, items: items.map(toActionView) };
}

/** Recently decided approvals (approved, rejected, expired), newest decision first. */
export async function listDecidedApprovals(db: DbOrTx, limit = 50) {
  const items = await db.action.findMany({
    where: { decidedAt: { not: null }, status: { notIn: ["pending_approval", "denied"] }, requiredApprovals: { gt: 0 } },
    orderBy: { decidedAt: "desc" },
    take: limit,
    include: ACTION_VIEW_INCLUDE,
  });
  return items.map(toActionView);
}
