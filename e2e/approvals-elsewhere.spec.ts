import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { SMTPServer } from "smtp-server";
import { buttonClick, startFakeSlack } from "../tests/support/fake-slack";
import { adminToken, createUser, provisionAgent, signedInContext, trpcMutation } from "./support/api";
import { E2E_PORT } from "./support/constants";
import { logIn } from "./support/helpers";

const BASE = `http://127.0.0.1:${E2E_PORT}`;
const SCREENS = "test-results/screens";

async function queueApproval(request: Parameters<typeof provisionAgent>[0]) {
  const token = await adminToken();
  const tool = `deploy.svc-${Math.random().toString(36).slice(2, 6)}`;
  const agent = await provisionAgent(request, token, { name: tool });
  const proposed = await request.post("/api/v1/actions", {
    headers: { Authorization: `Bearer ${agent.key}` },
    data: { action: `deploy payments to production (${tool})`, tool, confidence: 0.41, rationale: "the canary has been green for an hour" },
  });
  expect(proposed.status()).toBe(201);
  return { id: ((await proposed.json()) as { id: string }).id, tool };
}

test("Slack: a request is posted, an approver approves it from Slack through Warden's own endpoint, and the message is updated", async ({ page, request }) => {
  const approver = await createUser("approver");
  const botToken = `xoxb-e2e-${Math.random().toString(36).slice(2)}`;
  const signingSecret = `e2e-signing-${Math.random().toString(36).slice(2)}`;
  const slack = await startFakeSlack({ botToken, signingSecret, emails: { U_APPROVER: approver.email } });
  try {
    const admin = await signedInContext();
    // The API address is no field of the form: only a Slack-compatible server (here, the fake) needs it.
    const saved = await trpcMutation(admin, "notifications.saveSlack", {
      botToken,
      signingSecret,
      defaultChannel: "#approvals",
      routes: [],
      apiUrl: slack.apiUrl,
    });
    expect(saved.status).toBe(200);

    await page.setViewportSize({ width: 1440, height: 900 });
    await logIn(page);
    await page.goto("/settings/notifications");
    await expect(page.getByRole("form", { name: "Slack connection" })).toBeVisible();
    await expect(page.getByLabel("Default channel")).toHaveValue("#approvals");
    // The secrets never come back to the browser.
    expect(await page.content()).not.toContain(botToken);
    expect(await page.content()).not.toContain(signingSecret);
    await page.screenshot({ path: `${SCREENS}/notifications-1440.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${SCREENS}/notifications-390.png`, fullPage: true });

    const { id, tool } = await queueApproval(request);
    await expect.poll(() => slack.callsOf("chat.postMessage").filter((c) => JSON.stringify(c.body).includes(id)).length, { timeout: 20_000 }).toBe(1);
    const post = slack.callsOf("chat.postMessage").find((c) => JSON.stringify(c.body).includes(id))!;
    expect(post.body.channel).toBe("#approvals");

    // Unsigned, it is refused by the endpoint (401), not by the cross-site check (403).
    const unsigned = await request.post("/api/slack/interactions", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      data: "payload=%7B%7D",
    });
    expect(unsigned.status()).toBe(401);

    const signed = slack.signedInteraction(
      buttonClick(slack, { slackUser: "U_APPROVER", actionId: id, button: "warden_approve", channel: "C_approvals", ts: "1700000000.000100" }),
    );
    const clicked = await fetch(`${BASE}/api/slack/interactions`, { method: "POST", headers: signed.headers, body: signed.body });
    expect(clicked.status).toBe(200);
    const action = await request.get(`/api/v1/actions/${id}`, { headers: { Authorization: `Bearer ${await adminToken()}` } });
    expect((await action.json()) as { status: string; decidedBy: string }).toMatchObject({ status: "approved", decidedBy: approver.email });
    await expect
      .poll(() => slack.callsOf("chat.update").some((c) => JSON.stringify(c.body.blocks).includes(`Approved by ${approver.email}`)), { timeout: 20_000 })
      .toBe(true);

    // In the console it no longer waits.
    await page.goto(`/inbox?action=${id}`);
    await expect(page.getByTestId("inbox-focus-gone")).toBeVisible();
    await expect(page.getByTestId("inbox-item").filter({ hasText: tool })).toHaveCount(0);
    await admin.dispose();
  } finally {
    // Later specs share this server: leave Slack disconnected whatever happened.
    const admin = await signedInContext();
    await trpcMutation(admin, "notifications.removeChannel", { kind: "slack" });
    await admin.dispose();
    await slack.close();
  }
});

test("Email: an admin sets up SMTP in Settings, each request is mailed with a link that opens it in the inbox after sign-in", async ({
  page,
  request,
  browser,
}) => {
  const mails: { to: string[]; raw: string }[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  try {
    const port = (smtp.server.address() as AddressInfo).port;
    const approver = await createUser("approver");
    await page.setViewportSize({ width: 1440, height: 900 });
    await logIn(page);
    await page.goto("/settings/notifications");
    const form = page.getByRole("form", { name: "Email settings" });
    await form.getByLabel("SMTP host", { exact: true }).fill("127.0.0.1");
    await form.getByLabel("Port", { exact: true }).fill(String(port));
    await form.getByLabel("From", { exact: true }).fill("Warden <warden@e2e.test>");
    await form.getByLabel("Recipients", { exact: true }).fill(approver.email);
    await form.getByRole("button", { name: "Save email settings" }).click();
    await expect(page.getByText("set up", { exact: true })).toBeVisible();

    const { id } = await queueApproval(request);
    await expect.poll(() => mails.some((m) => m.raw.includes(id)), { timeout: 20_000 }).toBe(true);
    const mail = mails.find((m) => m.raw.includes(id))!;
    expect(mail.to).toEqual([approver.email]);
    const unfolded = mail.raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
    const link = /https?:\/\/[^\s"<]+\/inbox\?action=[0-9a-f-]{36}/.exec(unfolded)![0];
    const path = new URL(link).pathname + new URL(link).search;

    // Signed out, the link asks for a sign-in; signed in as an approver, it opens the request.
    const stranger = await browser.newContext();
    const strangerPage = await stranger.newPage();
    await strangerPage.goto(`${BASE}${path}`);
    await expect(strangerPage).toHaveURL(/\/login/);
    await stranger.close();
    await page.context().clearCookies();
    await logIn(page, approver);
    await page.goto(path);
    await expect(page.getByTestId("detail-action")).toContainText("deploy payments to production");
    await expect(page.getByRole("button", { name: "Approve (a)" })).toBeVisible();
  } finally {
    const admin = await signedInContext();
    await trpcMutation(admin, "notifications.removeChannel", { kind: "email" });
    await admin.dispose();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  }
});
