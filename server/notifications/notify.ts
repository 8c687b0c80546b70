import type { DbOrTx } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { publish } from "../events/bus";

/** Events webhooks can subscribe to; "*" subscribes to all. */
export const WEBHOOK_EVENTS = ["action.notify", "approval.requested", "approval.decided"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Queues a signed POST of `payload` to every active webhook that wants `event` (same transaction). */
export async function enqueueWebhooks(tx: DbOrTx, event: WebhookEvent, payload: Prisma.InputJsonObject): Promise<number> {
  return tx.$executeRaw`
    INSERT INTO webhook_deliveries (id, webhook_id, event, payload)
    SELECT gen_random_uuid(), w.id, ${event}, ${JSON.stringify({ event, ...payload })}::jsonb
      FROM webhooks w
     WHERE w.active AND (${event} = ANY(w.events) OR '*' = ANY(w.events))`;
}

/** A line in the console's notification feed, plus the webhooks for the same event. */
export async function notify(
  tx: DbOrTx,
  note: { kind: WebhookEvent; title: string; body: string; actionId?: string; agentId?: string; payload: Prisma.InputJsonObject },
): Promise<void> {
  const created = await tx.notification.create({
    data: { kind: note.kind, title: note.title, body: note.body, actionId: note.actionId ?? null, agentId: note.agentId ?? null },
    select: { id: true },
  });
  await enqueueWebhooks(tx, note.kind, note.payload);
  await publish(tx, { type: "notification.created", notificationId: created.id });
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
