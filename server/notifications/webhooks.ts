import { createHmac, randomBytes } from "node:crypto";
import type { Actor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { notFound } from "../errors";
import type { WebhookEvent } from "../schemas/enums";

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
    await appendAudit(tx, { actor, verb: "webhook.create", subject: { type: "webhook", id: webhook.id }, data: { url: input.url, events: input.events }, origin });
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
        select: { id: true, event: true, status: true, attempts: true, lastStatusCode: true, lastError: true, createdAt: true, deliveredAt: true, nextAttemptAt: true },
      }),
    })),
  );
}

type Due = { id: string; url: string; secret: string; event: string; payload: unknown; attempts: number };

/**
 * Sends what is due. Deliveries are claimed with SKIP LOCKED and pushed a minute ahead before
 * sending, so two instances never send one delivery twice; the outcome then sets delivered, the
 * next retry time, or failed after MAX_ATTEMPTS.
 */
export async function deliverDueWebhooks(db: DbOrTx, limit = 20): Promise<number> {
  const due = await inTransaction(db, (tx) =>
    tx.$queryRaw<Due[]>`
      UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + interval '1 minute'
        FROM webhooks w
       WHERE d.webhook_id = w.id AND d.id IN (
         SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING d.id, w.url, w.secret, d.event, d.payload, d.attempts`,
  );
  await Promise.all(
    due.map(async (delivery) => {
      const body = JSON.stringify(delivery.payload);
      let statusCode: number | null = null;
      let error: string | null = null;
      try {
        const response = await fetch(delivery.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "Warden-Webhooks/1",
            "x-warden-event": delivery.event,
            "x-warden-delivery": delivery.id,
            "x-warden-signature": signWebhook(delivery.secret, body, Math.floor(Date.now() / 1000)),
          },
          body,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        statusCode = response.status;
        if (!response.ok) error = `HTTP ${response.status}`;
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
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
