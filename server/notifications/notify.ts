import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import type { WebhookEvent } from "../schemas/enums";

/** The INSERT that queues `payload` for every active webhook that wants `event`. */
export function webhookDeliveriesSql(event: WebhookEvent, payload: Prisma.InputJsonObject): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO webhook_deliveries (id, webhook_id, event, payload)
    SELECT gen_random_uuid(), w.id, ${event}, ${JSON.stringify({ event, ...payload })}::jsonb
      FROM webhooks w
     WHERE w.active AND (${event} = ANY(w.events) OR '*' = ANY(w.events))`;
}

/** Queues a signed POST of `payload` to every active webhook that wants `event` (same transaction). */
export async function enqueueWebhooks(tx: DbOrTx, event: WebhookEvent, payload: Prisma.InputJsonObject): Promise<number> {
  return tx.$executeRaw(webhookDeliveriesSql(event, payload));
}

/** The INSERT of a notification line (its id chosen by the caller). */
export function notificationInsertSql(note: { id: string; kind: WebhookEvent; title: string; body: string; actionId?: string; agentId?: string }): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO notifications (id, kind, title, body, action_id, agent_id)
    VALUES (${note.id}::uuid, ${note.kind}, ${note.title}, ${note.body}, ${note.actionId ?? null}::uuid, ${note.agentId ?? null}::uuid)`;
}

export async function listNotifications(db: DbOrTx, userId: string) {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { notificationsSeenAt: true } });
  const [items, unread] = await Promise.all([
    db.notification.findMany({ orderBy: { createdAt: "desc" }, take: 50 }),
    db.notification.count({ where: { createdAt: { gt: user.notificationsSeenAt } } }),
  ]);
  return { unread, items: items.map((n) => ({ ...n, unread: n.createdAt > user.notificationsSeenAt })) };
}

export async function markNotificationsSeen(db: DbOrTx, userId: string): Promise<void> {
  await db.user.update({ where: { id: userId }, data: { notificationsSeenAt: new Date() } });
}
