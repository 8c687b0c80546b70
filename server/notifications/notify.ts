import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import type { WebhookEvent } from "../schemas/enums";

/**
 * The INSERT that queues `payload` for every active webhook that wants `event`, and for every
 * enabled notification channel (Slack, email) that sends it: one statement in the caller's
 * transaction, so the decision's hot path pays one INSERT whatever is connected, and the outbox
 * sender (deliverDueWebhooks) does the talking, with its retries.
 */
export function webhookDeliveriesSql(event: WebhookEvent, payload: Prisma.InputJsonObject): Prisma.Sql {
  const body = JSON.stringify({ event, ...payload });
  return Prisma.sql`
    INSERT INTO webhook_deliveries (id, webhook_id, channel, event, payload)
    SELECT gen_random_uuid(), w.id, 'webhook', ${event}, ${body}::jsonb
      FROM webhooks w
     WHERE w.active AND (${event} = ANY(w.events) OR '*' = ANY(w.events))
    UNION ALL
    SELECT gen_random_uuid(), NULL, c.kind, ${event}, ${body}::jsonb
      FROM notification_channels c
     WHERE c.enabled AND ${event} = ANY(c.events)`;
}

/**
 * Events only the notification channels hear (no webhook subscribes to them): a vote toward a
 * quorum, so that the Slack message shows "1 of 2 approvals" wherever the vote was cast.
 */
export function channelDeliveriesSql(event: "approval.voted", payload: Prisma.InputJsonObject): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO webhook_deliveries (id, webhook_id, channel, event, payload)
    SELECT gen_random_uuid(), NULL, c.kind, ${event}, ${JSON.stringify({ event, ...payload })}::jsonb
      FROM notification_channels c
     WHERE c.enabled AND ${event} = ANY(c.events)`;
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
