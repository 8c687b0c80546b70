import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../../server/api/root";
import type { UserActor } from "../../server/auth/actor";
import { expireOverdueApprovals } from "../../server/approvals/decide-approval";
import { createWebhook, deliverDueWebhooks, retryDelayMs, signWebhook } from "../../server/notifications/webhooks";
import type { WebhookEvent } from "../../server/schemas/enums";
import { db, makeUser, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

/*
 * The approval webhooks: approval.requested when an action waits for a human, approval.decided
 * when it is approved, rejected or expires. Each is queued in the transaction of the change
 * (so a refused decision queues nothing), delivered as a signed POST, and retried with backoff
 * until it is delivered or given up.
 */

type Received = { path: string; headers: IncomingMessage["headers"]; body: string };
const received: Received[] = [];
/** Paths that answer 500 this many more times before they accept. */
const failuresLeft = new Map<string, number>();
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    const path = req.url ?? "/";
    const left = failuresLeft.get(path) ?? 0;
    if (left > 0) {
      failuresLeft.set(path, left - 1);
      res.writeHead(500).end("try later");
      return;
    }
    received.push({ path, headers: req.headers, body });
    res.writeHead(204).end();
  });
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
const created: string[] = [];
afterAll(async () => {
  // The suites share one database: leave no webhook of ours collecting other suites' events.
  await db.webhook.updateMany({ where: { id: { in: created } }, data: { active: false } });
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A webhook of its own (a unique path on the test server) for the given events. */
async function hook(events: (WebhookEvent | "*")[], options: { url?: string } = {}) {
  const admin = await makeUser("admin");
  const path = `/${unique("hook")}`;
  const webhook = await createWebhook(db, admin, { url: options.url ?? `${base}${path}`, events });
  created.push(webhook.id);
  return { ...webhook, path };
}
const deliveriesOf = (webhookId: string) => db.webhookDelivery.findMany({ where: { webhookId }, orderBy: { createdAt: "asc" } });

async function pendingAction(risk: "low" | "critical" = "low") {
  const tool = await makeTool({ scopes: [], risk });
  const { agent, key } = await makeGrantedAgent([tool.name]);
  const action = `restart ${unique("svc").replace(/[^a-z0-9]/g, "")}`;
  const response = await propose(key, { tool: tool.name, confidence: 0.4, action, resource: "staging/web", args: { timeout: 10 } });
  expect(response.json.status).toBe("pending_approval");
  return { id: response.json.id as string, agent, tool: tool.name, action };
}

/** Delivers what is due until this webhook's deliveries are no longer due now. */
async function deliverFor(webhookId: string) {
  for (let i = 0; i < 20; i++) {
    await deliverDueWebhooks(db, 100);
    const due = await db.webhookDelivery.count({ where: { webhookId, status: "pending", nextAttemptAt: { lte: new Date() } } });
    if (due === 0) return;
  }
  throw new Error("deliveries stayed due");
}

/** Checks the Stripe-style signature of what the test server received. */
function expectSigned(got: Received, secret: string) {
  const header = String(got.headers["x-warden-signature"]);
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  expect(match, header).not.toBeNull();
  const timestamp = Number(match![1]);
  expect(Math.abs(Date.now() / 1000 - timestamp)).toBeLessThan(60);
  expect(header).toBe(signWebhook(secret, got.body, timestamp));
  expect(match![2]).toBe(createHmac("sha256", secret).update(`${timestamp}.${got.body}`).digest("hex"));
  // Signed with another secret, or over another body, it does not verify.
  expect(signWebhook(`${secret}x`, got.body, timestamp)).not.toBe(header);
  expect(signWebhook(secret, `${got.body} `, timestamp)).not.toBe(header);
}

describe("approval webhooks", () => {
  it("approval.requested: queued with the proposal, delivered signed", async () => {
    const webhook = await hook(["approval.requested"]);
    const { id, agent, tool, action } = await pendingAction();

    const [delivery, ...more] = await deliveriesOf(webhook.id);
    expect(more).toEqual([]);
    expect(delivery).toMatchObject({ event: "approval.requested", status: "pending", attempts: 0 });
    const payload = delivery!.payload as Record<string, unknown>;
    expect(payload).toEqual({
      event: "approval.requested",
      actionId: id,
      agent: agent.name,
      action,
      tool,
      resource: "staging/web",
      confidence: 0.4,
      expiresAt: expect.any(String),
      requiredApprovals: 1,
    });
    const stored = await db.action.findUniqueOrThrow({ where: { id } });
    expect(payload.expiresAt).toBe(stored.expiresAt!.toISOString());

    await deliverFor(webhook.id);
    expect((await deliveriesOf(webhook.id))[0]).toMatchObject({ status: "delivered", attempts: 1, lastStatusCode: 204, lastError: null });
    const got = received.filter((r) => r.path === webhook.path);
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!.body)).toEqual(payload);
    expect(got[0]!.headers).toMatchObject({ "content-type": "application/json", "x-warden-event": "approval.requested", "x-warden-delivery": delivery!.id });
    expectSigned(got[0]!, webhook.secret);
  });

  it("a critical action's request says how many approvers it needs", async () => {
    const webhook = await hook(["approval.requested"]);
    await pendingAction("critical");
    const [delivery] = await deliveriesOf(webhook.id);
    expect(delivery!.payload).toMatchObject({ requiredApprovals: 2 });
  });

  it("approval.decided: approved, rejected with the reason, expired", async () => {
    const webhook = await hook(["approval.decided"]);
    const approver = await makeUser("approver");
    const caller = createCaller({ db, user: approver, ip: "127.0.0.1" });
    const approved = await pendingAction();
    const rejected = await pendingAction();
    const expired = await pendingAction();
    // Subscribed to decisions only: the three requests queued nothing here.
    expect(await deliveriesOf(webhook.id)).toEqual([]);

    await caller.approvals.approve({ actionId: approved.id, args: { timeout: 30 } });
    await caller.approvals.reject({ actionId: rejected.id, reason: "not during the release" });
    await db.action.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expireOverdueApprovals(db);

    const payloads = (await deliveriesOf(webhook.id)).map((d) => d.payload as Record<string, unknown>);
    const byAction = (actionId: string) => payloads.find((p) => p.actionId === actionId);
    expect(payloads).toHaveLength(3);
    expect(byAction(approved.id)).toEqual({
      event: "approval.decided",
      actionId: approved.id,
      agent: approved.agent.name,
      action: approved.action,
      tool: approved.tool,
      status: "approved",
      decidedBy: approver.email,
      argsEdited: true,
    });
    expect(byAction(rejected.id)).toEqual({
      event: "approval.decided",
      actionId: rejected.id,
      agent: rejected.agent.name,
      action: rejected.action,
      tool: rejected.tool,
      status: "rejected",
      decidedBy: approver.email,
      reason: "not during the release",
    });
    expect(byAction(expired.id)).toEqual({ event: "approval.decided", actionId: expired.id, action: expired.action, tool: expired.tool, status: "expired" });

    await deliverFor(webhook.id);
    const got = received.filter((r) => r.path === webhook.path);
    expect(got.map((r) => JSON.parse(r.body).status).sort()).toEqual(["approved", "expired", "rejected"]);
    for (const r of got) {
      expect(r.headers["x-warden-event"]).toBe("approval.decided");
      expectSigned(r, webhook.secret);
    }
  });

  it("a critical action's first vote decides nothing; the quorum's last one sends approval.decided once", async () => {
    const webhook = await hook(["approval.decided"]);
    const { id } = await pendingAction("critical");
    const first = await makeUser("approver");
    const second = await makeUser("approver");
    await createCaller({ db, user: first, ip: null }).approvals.approve({ actionId: id });
    expect(await deliveriesOf(webhook.id)).toEqual([]);
    await createCaller({ db, user: second, ip: null }).approvals.approve({ actionId: id });
    const deliveries = await deliveriesOf(webhook.id);
    expect(deliveries.map((d) => d.payload)).toEqual([
      expect.objectContaining({ actionId: id, status: "approved", decidedBy: second.email, argsEdited: false }),
    ]);
  });

  it("a refused decision queues nothing: the delivery is written in the decision's transaction", async () => {
    const webhook = await hook(["approval.decided"]);
    const { id, agent } = await pendingAction("critical");
    const { ownerId } = await db.agent.findUniqueOrThrow({ where: { id: agent.id }, select: { ownerId: true } });
    const ownerRow = await db.user.findUniqueOrThrow({ where: { id: ownerId! } });
    const owner: UserActor = { type: "user", id: ownerRow.id, label: ownerRow.email, role: ownerRow.role! };
    await expect(createCaller({ db, user: owner, ip: null }).approvals.approve({ actionId: id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const approver = createCaller({ db, user: await makeUser("approver"), ip: null });
    await approver.approvals.reject({ actionId: id, reason: "no" });
    // Deciding it again is a conflict, and queues no second delivery.
    await expect(approver.approvals.approve({ actionId: id })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await deliveriesOf(webhook.id)).map((d) => (d.payload as { status: string }).status)).toEqual(["rejected"]);
  });

  it("'*' subscribes to both; an inactive webhook gets nothing", async () => {
    const all = await hook(["*"]);
    const inactive = await hook(["approval.requested", "approval.decided"]);
    await db.webhook.update({ where: { id: inactive.id }, data: { active: false } });
    const { id } = await pendingAction();
    await createCaller({ db, user: await makeUser("approver"), ip: null }).approvals.reject({ actionId: id, reason: "no" });
    expect((await deliveriesOf(all.id)).map((d) => d.event)).toEqual(["approval.requested", "approval.decided"]);
    expect(await deliveriesOf(inactive.id)).toEqual([]);
  });

  it("retries a failed delivery with backoff, then delivers it", async () => {
    const webhook = await hook(["approval.requested"]);
    failuresLeft.set(webhook.path, 2);
    await pendingAction();

    for (const attempt of [1, 2]) {
      const before = Date.now();
      await deliverFor(webhook.id);
      const [delivery] = await deliveriesOf(webhook.id);
      expect(delivery).toMatchObject({ status: "pending", attempts: attempt, lastStatusCode: 500, lastError: "HTTP 500", deliveredAt: null });
      // The next attempt waits 5 s, then 10 s (retryDelayMs), not the claim's minute.
      const wait = delivery!.nextAttemptAt.getTime() - before;
      expect(wait).toBeGreaterThanOrEqual(retryDelayMs(attempt) - 1000);
      expect(wait).toBeLessThanOrEqual(retryDelayMs(attempt) + 5000);
      await db.webhookDelivery.update({ where: { id: delivery!.id }, data: { nextAttemptAt: new Date() } });
    }
    await deliverFor(webhook.id);
    const [delivery] = await deliveriesOf(webhook.id);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 3, lastStatusCode: 204, lastError: null });
    expect(delivery!.deliveredAt).toBeInstanceOf(Date);
    // Delivered once, with the same body and signature scheme as a first-time success.
    const got = received.filter((r) => r.path === webhook.path);
    expect(got).toHaveLength(1);
    expectSigned(got[0]!, webhook.secret);
  });

  it("an unreachable receiver is retried too, and given up after the last attempt", async () => {
    // A port nobody listens on.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const webhook = await hook(["approval.requested"], { url: `http://127.0.0.1:${port}/gone` });
    await pendingAction();

    await deliverFor(webhook.id);
    const [delivery] = await deliveriesOf(webhook.id);
    expect(delivery).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: null });
    expect(delivery!.lastError).toBeTruthy();

    // The eighth attempt is the last: it fails, and the delivery is marked failed for good.
    await db.webhookDelivery.update({ where: { id: delivery!.id }, data: { attempts: 7, nextAttemptAt: new Date() } });
    await deliverFor(webhook.id);
    const [gaveUp] = await deliveriesOf(webhook.id);
    expect(gaveUp).toMatchObject({ status: "failed", attempts: 8, deliveredAt: null });
    await db.webhookDelivery.update({ where: { id: delivery!.id }, data: { nextAttemptAt: new Date() } });
    await deliverDueWebhooks(db, 100);
    expect((await deliveriesOf(webhook.id))[0]).toMatchObject({ status: "failed", attempts: 8 });
  });
});

describe("webhook backoff", () => {
  it("doubles from 5 s and stops at 30 minutes", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map(retryDelayMs)).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 1_280_000, 1_800_000]);
  });
});
