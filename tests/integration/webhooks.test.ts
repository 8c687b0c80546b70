import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebhook, deliverDueWebhooks } from "../../server/notifications/webhooks";
import { db, makeUser } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

type Received = { headers: IncomingMessage["headers"]; body: string };

describe("outbound webhooks", () => {
  const received: Received[] = [];
  let failuresLeft = 1;
  let url = "";
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        res.writeHead(500).end("try later");
        return;
      }
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("delivers a signed POST for an execute-with-notification decision, retrying after a failure", async () => {
    const admin = await makeUser("admin");
    const hook = await createWebhook(db, admin, { url, events: ["action.notify"] });
    const tool = await makeTool({ scopes: [] });
    const { key } = await makeGrantedAgent([tool.name]);
    const proposed = await propose(key, { tool: tool.name, confidence: 0.8, action: "rotate the logs" });

    await deliverDueWebhooks(db);
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: hook.id } });
    expect(delivery).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500 });
    expect(delivery.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());

    await db.webhookDelivery.update({ where: { id: delivery.id }, data: { nextAttemptAt: new Date() } });
    await deliverDueWebhooks(db);
    expect((await db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).status).toBe("delivered");

    const got = received.at(-1)!;
    expect(JSON.parse(got.body)).toMatchObject({ event: "action.notify", actionId: proposed.json.id, action: "rotate the logs" });
    expect(got.headers["x-warden-event"]).toBe("action.notify");
    const [t, v1] = String(got.headers["x-warden-signature"])
      .split(",")
      .map((p) => p.split("=")[1]);
    expect(v1).toBe(createHmac("sha256", hook.secret).update(`${t}.${got.body}`).digest("hex"));
    await db.webhook.update({ where: { id: hook.id }, data: { active: false } });
  });
});
