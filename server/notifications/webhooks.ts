import { createHmac, randomBytes } from "node:crypto";
import type { Actor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { notFound } from "../errors";
import type { WebhookEvent } from "../schemas/enums";
import { sendEmailDelivery } from "./email/send-email";
import { sendSlackDelivery } from "./slack/send-slack";

const MAX_ATTEMPTS = 8;
const TIMEOUT_MS = 10_000;

/** Stripe-style signature: HMAC-SHA256 over "<unix seconds>.<body>" with the webhook's secret. */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Backoff before attempt n+1: 5 s, 10 s, 20 s … capped at 30 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(5_000 * 2 ** (attempts - 1), 30 * 60_000);
}

export async function createWebhook(db: DbOrTx, actor: Actor, input: { url: string; events: (WebhookEvent | "*")[] }, origin?: RequestOrigin) {
  const secret = `whsec_${randomBytes(24).toString("base64url")}`;
  return inTransaction(db, async (tx) => {
    const webhook = await tx.webhook.create({ data: { url: input.url, events: input.events, secret } });
    await appendAudit(tx, {
      actor,
      verb: "webhook.create",
      subject: { type: "webhook", id: webhook.id },
      data: { url: input.url, events: input.events },
      origin,
    });
    return { id: webhook.id, url: webhook.url, events: webhook.events, secret };
  });
}

export async function setWebhookActive(db: DbOrTx, actor: Actor, id: string, active: boolean, origin?: RequestOrigin) {
  return inTransaction(db, async (tx) => {
    const webhook = await tx.webhook.findUnique({ where: { id } });
    if (!webhook) throw notFound("webhook", id);
    await tx.webhook.update({ where: { id }, data: { active } });
    await appendAudit(tx, { actor, verb: active ? "webhook.enable" : "webhook.disable", subject: { type: "webhook", id }, data: { url: webhook.url }, origin });
    return { id, active };
  });
}

export async function listWebhooks(db: DbOrTx) {
  const hooks = await db.webhook.findMany({ orderBy: { createdAt: "asc" } });
  return Promise.all(
    hooks.map(async (h) => ({
      id: h.id,
      url: h.url,
      events: h.events,
      active: h.active,
      createdAt: h.createdAt,
      deliveries: await db.webhookDelivery.findMany({
        where: { webhookId: h.id },
        orderBy: { createdAt: "desc" },
        take: 20,
        select: {
          id: true,
          event: true,
          status: true,
          attempts: true,
          lastStatusCode: true,
          lastError: true,
          createdAt: true,
          deliveredAt: true,
          nextAttemptAt: true,
        },
      }),
    })),
  );
}

type Due = { id: string; channel: string; url: string | null; secret: string | null; event: string; payload: unknown; attempts: number };

/** A signed POST to a webhook; the outcome as the outbox records it. */
async function postWebhook(delivery: Due): Promise<{ statusCode: number | null; error: string | null }> {
  const body = JSON.stringify(delivery.payload);
  try {
    const response = await fetch(delivery.url!, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Warden-Webhooks/1",
        "x-warden-event": delivery.event,
        "x-warden-delivery": delivery.id,
        "x-warden-signature": signWebhook(delivery.secret!, body, Math.floor(Date.now() / 1000)),
      },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return { statusCode: response.status, error: response.ok ? null : `HTTP ${response.status}` };
  } catch (e) {
    return { statusCode: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/** A notification channel's message (Slack, email): sent by its channel, failures retried alike. */
async function sendToChannel(db: DbOrTx, delivery: Due): Promise<{ statusCode: number | null; error: string | null }> {
  try {
    if (delivery.channel === "slack") await sendSlackDelivery(db, delivery);
    else if (delivery.channel === "email") await sendEmailDelivery(db, delivery);
    else return { statusCode: null, error: `no sender for channel ${delivery.channel}` };
    return { statusCode: null, error: null };
  } catch (e) {
    return { statusCode: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Sends what is due: webhook POSTs and the notification channels' messages, one outbox. Deliveries
 * are claimed with SKIP LOCKED and pushed a minute ahead before sending, so two instances never
 * send one delivery twice; the outcome then sets delivered, the next retry time, or failed after
 * MAX_ATTEMPTS.
 */
export async function deliverDueWebhooks(db: DbOrTx, limit = 20): Promise<number> {
  const due = await inTransaction(
    db,
    (tx) =>
      tx.$queryRaw<Due[]>`
      UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + interval '1 minute'
       WHERE d.id IN (
         SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING d.id, d.channel, d.event, d.payload, d.attempts,
                (SELECT w.url FROM webhooks w WHERE w.id = d.webhook_id) AS url,
                (SELECT w.secret FROM webhooks w WHERE w.id = d.webhook_id) AS secret`,
  );
  await Promise.all(
    due.map(async (delivery) => {
      const { statusCode, error } = delivery.channel === "webhook" ? await postWebhook(delivery) : await sendToChannel(db, delivery);
      const delivered = error === null;
      const gaveUp = !delivered && delivery.attempts >= MAX_ATTEMPTS;
      await db.webhookDelivery.update({
        where: { id: delivery.id },
        data: {
          status: delivered ? "delivered" : gaveUp ? "failed" : "pending",
          lastStatusCode: statusCode,
          lastError: error,
          deliveredAt: delivered ? new Date() : null,
          nextAttemptAt: delivered || gaveUp ? undefined : new Date(Date.now() + retryDelayMs(delivery.attempts)),
        },
      });
    }),
  );
  return due.length;
}
