import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { POST as slackInteractionRoute } from "../../app/api/slack/interactions/route";
import { decideApproval } from "../../server/approvals/decide-approval";
import { describeChannels, loadEmailChannel, removeChannel, saveEmailSettings, saveSlackConnection } from "../../server/notifications/channels";
import { deliverDueWebhooks } from "../../server/notifications/webhooks";
import { handleSlackInteraction } from "../../server/notifications/slack/slack-interactions";
import { buttonClick, rejectSubmission, startFakeSlack, type FakeSlack } from "../support/fake-slack";
import { auditRows, db, makeUser, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

const BOT_TOKEN = `xoxb-${unique("bot")}`;
const SIGNING_SECRET = unique("signing-secret");

/**
 * Runs the outbox until the channel's row for this action is sent. Other suites share the
 * database and its outbox, so a pass may send their rows first.
 */
async function deliverFor(channel: "slack" | "email", actionId: string, event = "approval.requested") {
  for (let pass = 0; pass < 20; pass++) {
    const row = await db.webhookDelivery.findFirst({ where: { channel, event, payload: { path: ["actionId"], equals: actionId } } });
    if (row?.status === "delivered") return row;
    if (row?.status === "failed") throw new Error(`${channel} delivery failed: ${row.lastError}`);
    if (row && row.nextAttemptAt > new Date()) {
      if (row.lastError) throw new Error(`${channel} delivery: ${row.lastError}`);
      await db.webhookDelivery.update({ where: { id: row.id }, data: { nextAttemptAt: new Date() } });
    }
    await deliverDueWebhooks(db, 200);
  }
  throw new Error(`no ${channel} ${event} delivery for ${actionId}`);
}

async function waitingAction(tool: string, key: string, action = `deploy ${unique("svc")}`) {
  const proposed = await propose(key, { tool, confidence: 0.3, action, rationale: "the canary is green" });
  expect(proposed.json.decision).toBe("require_approval");
  return proposed.json.id as string;
}

const status = async (id: string) => (await db.action.findUniqueOrThrow({ where: { id } })).status;

describe("approvals in Slack", () => {
  let slack: FakeSlack;
  const emails: Record<string, string> = {};
  const profiles: Record<string, Record<string, boolean>> = {};
  let approver: Awaited<ReturnType<typeof makeUser>>;
  let routedTool: string;
  let key: string;

  beforeAll(async () => {
    slack = await startFakeSlack({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, emails, profiles });
    const admin = await makeUser("admin");
    approver = await makeUser("approver");
    const viewer = await makeUser("viewer");
    emails.U_APPROVER = approver.email.toUpperCase(); // Slack's profile may differ in case
    emails.U_VIEWER = viewer.email;
    emails.U_STRANGER = "nobody@elsewhere.test";
    emails.U_NO_EMAIL = "";
    // An address that is a LIKE pattern for the approver's ('_' matches the '-'): not them.
    emails.U_PATTERN = approver.email.replace("-", "_");
    // The approver's own email, but a guest, a member of another organisation, unconfirmed.
    const unfit: Record<string, Record<string, boolean>> = {
      U_GUEST: { is_restricted: true },
      U_EXTERNAL: { is_stranger: true },
      U_UNCONFIRMED: { is_email_confirmed: false },
    };
    for (const [user, flags] of Object.entries(unfit)) {
      emails[user] = approver.email;
      profiles[user] = flags;
    }
    routedTool = (await makeTool({ prefix: "deploy", scopes: [] })).name;
    ({ key } = await makeGrantedAgent([routedTool]));
    await saveSlackConnection(db, admin, {
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      defaultChannel: "#approvals",
      routes: [
        { minRisk: "critical", channel: "#critical" },
        { tool: routedTool, channel: "#deploys" },
      ],
      apiUrl: slack.apiUrl,
    });
  });
  afterAll(async () => {
    await removeChannel(db, await makeUser("admin"), "slack");
    await slack.close();
  });

  it("keeps the bot token and signing secret sealed, and never shows them again", async () => {
    const row = await db.notificationChannel.findUniqueOrThrow({ where: { kind: "slack" } });
    expect(row.sealedSecrets).not.toContain(BOT_TOKEN);
    expect(row.sealedSecrets).not.toContain(SIGNING_SECRET);
    const shown = JSON.stringify(await describeChannels(db));
    expect(shown).not.toContain(BOT_TOKEN);
    expect(shown).not.toContain(SIGNING_SECRET);
    expect((await describeChannels(db)).slack).toMatchObject({ secretsSet: ["botToken", "signingSecret"], secretsUnreadable: false });
    // Saving again without the secrets keeps them.
    await saveSlackConnection(db, await makeUser("admin"), {
      defaultChannel: "#approvals",
      routes: [
        { minRisk: "critical", channel: "#critical" },
        { tool: routedTool, channel: "#deploys" },
      ],
      apiUrl: slack.apiUrl,
    });
    expect((await describeChannels(db)).slack?.secretsSet).toEqual(["botToken", "signingSecret"]);
  });

  it("posts a request to the channel its rule picks, with the context and Approve / Reject buttons", async () => {
    const id = await waitingAction(routedTool, key);
    await deliverFor("slack", id);
    const post = slack.callsOf("chat.postMessage").find((c) => JSON.stringify(c.body).includes(id))!;
    expect(post.token).toBe(BOT_TOKEN);
    expect(post.body.channel).toBe("#deploys");
    const blocks = JSON.stringify(post.body.blocks);
    expect(blocks).toContain("Why it waits");
    expect(blocks).toContain("0.30");
    expect(blocks).toContain("Past failures that match");
    expect(blocks).toContain("the canary is green");
    // What would run is in the message, not only the agent's description of it.
    expect(blocks).toContain("*Args*");
    const actions = (post.body.blocks as { type: string; elements?: { action_id: string; value?: string }[] }[]).find((b) => b.type === "actions")!;
    expect(actions.elements!.map((e) => [e.action_id, e.value])).toEqual([
      ["warden_approve", id],
      ["warden_reject", id],
      ["warden_open", undefined],
    ]);
    expect(await db.slackMessage.findUniqueOrThrow({ where: { actionId: id } })).toMatchObject({ channel: "C_deploys" });
  });

  it("refuses interactions that are not signed by Slack's secret, or are older than five minutes", async () => {
    const id = await waitingAction(routedTool, key);
    const click = buttonClick(slack, { slackUser: "U_APPROVER", actionId: id, button: "warden_approve", channel: "C_deploys", ts: "1.1" });
    const forged = slack.signedInteraction(click, undefined, "not-the-secret");
    expect(
      (
        await handleSlackInteraction(db, {
          body: forged.body,
          timestamp: forged.headers["x-slack-request-timestamp"],
          signature: forged.headers["x-slack-signature"],
        })
      ).status,
    ).toBe(401);
    const stale = slack.signedInteraction(click, Math.floor(Date.now() / 1000) - 6 * 60);
    const staleAnswer = await handleSlackInteraction(db, {
      body: stale.body,
      timestamp: stale.headers["x-slack-request-timestamp"],
      signature: stale.headers["x-slack-signature"],
    });
    expect(staleAnswer).toMatchObject({ status: 401, json: { error: expect.stringContaining("five minutes") } });
    const tampered = slack.signedInteraction(click);
    const tamperedBody = tampered.body.replace("warden_approve", "warden_reject");
    expect(
      (
        await handleSlackInteraction(db, {
          body: tamperedBody,
          timestamp: tampered.headers["x-slack-request-timestamp"],
          signature: tampered.headers["x-slack-signature"],
        })
      ).status,
    ).toBe(401);
    expect(await status(id)).toBe("pending_approval");
  });

  it("refuses Slack users who are not Warden approvers, telling them why", async () => {
    const id = await waitingAction(routedTool, key);
    for (const [user, why] of [
      ["U_STRANGER", "is not a Warden user"],
      ["U_VIEWER", "needs the approver role"],
      ["U_NO_EMAIL", "cannot see the email"],
      ["U_UNKNOWN", "could not look you up"],
      ["U_PATTERN", "is not a Warden user"],
      ["U_GUEST", "Only full members"],
      ["U_EXTERNAL", "Only full members"],
      ["U_UNCONFIRMED", "not confirmed"],
    ]) {
      const signed = slack.signedInteraction(buttonClick(slack, { slackUser: user!, actionId: id, button: "warden_approve", channel: "C_deploys", ts: "1.1" }));
      const answer = await handleSlackInteraction(db, {
        body: signed.body,
        timestamp: signed.headers["x-slack-request-timestamp"],
        signature: signed.headers["x-slack-signature"],
      });
      expect(answer.status).toBe(200);
      expect(slack.responses.at(-1)).toMatchObject({ response_type: "ephemeral", text: expect.stringContaining(why!) });
    }
    expect(await status(id)).toBe("pending_approval");
  });

  it("approves through the interaction endpoint as the mapped approver, audited, and updates the message", async () => {
    const id = await waitingAction(routedTool, key);
    await deliverFor("slack", id);
    const posted = await db.slackMessage.findUniqueOrThrow({ where: { actionId: id } });
    const signed = slack.signedInteraction(
      buttonClick(slack, { slackUser: "U_APPROVER", actionId: id, button: "warden_approve", channel: posted.channel, ts: posted.ts }),
    );
    // Through the Next.js route handler itself, as Slack reaches it.
    const response = await slackInteractionRoute(
      new Request("http://warden.test/api/slack/interactions", { method: "POST", headers: signed.headers, body: signed.body }),
    );
    expect(response.status).toBe(200);
    const action = await db.action.findUniqueOrThrow({ where: { id } });
    expect(action).toMatchObject({ status: "approved", decidedByLabel: approver.email, decidedById: approver.id });
    expect(await auditRows({ verb: "action.approve", subjectId: id })).toMatchObject([{ actorLabel: approver.email }]);
    const update = slack
      .callsOf("chat.update")
      .filter((c) => c.body.ts === posted.ts)
      .at(-1)!;
    expect(update.body.channel).toBe(posted.channel);
    expect(JSON.stringify(update.body.blocks)).toContain(`Approved by ${approver.email}`);
    expect(JSON.stringify(update.body.blocks)).not.toContain("warden_approve");
  });

  it("rejects with a reason asked in a modal; an empty reason is refused in the modal", async () => {
    const id = await waitingAction(routedTool, key);
    await deliverFor("slack", id);
    const posted = await db.slackMessage.findUniqueOrThrow({ where: { actionId: id } });
    const click = buttonClick(slack, { slackUser: "U_APPROVER", actionId: id, button: "warden_reject", channel: posted.channel, ts: posted.ts });
    const signed = slack.signedInteraction(click);
    expect(
      (
        await handleSlackInteraction(db, {
          body: signed.body,
          timestamp: signed.headers["x-slack-request-timestamp"],
          signature: signed.headers["x-slack-signature"],
        })
      ).status,
    ).toBe(200);
    const opened = slack.callsOf("views.open").at(-1)!;
    expect(opened.body.trigger_id).toBe(click.trigger_id);
    const view = opened.body.view as { private_metadata: string; callback_id: string };
    expect(await status(id)).toBe("pending_approval");

    const submit = async (reason: string) => {
      const s = slack.signedInteraction(rejectSubmission({ slackUser: "U_APPROVER", privateMetadata: view.private_metadata, reason }));
      return handleSlackInteraction(db, { body: s.body, timestamp: s.headers["x-slack-request-timestamp"], signature: s.headers["x-slack-signature"] });
    };
    expect(await submit("   ")).toMatchObject({
      status: 200,
      json: { response_action: "errors", errors: { reason: expect.stringContaining("needs a reason") } },
    });
    expect(await submit("not during the freeze")).toMatchObject({ status: 200, json: { response_action: "clear" } });
    expect(await db.action.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "rejected",
      reason: "not during the freeze",
      decidedByLabel: approver.email,
    });
    // A second submission finds it decided: the modal says by whom.
    expect(await submit("again")).toMatchObject({ json: { errors: { reason: expect.stringContaining("Already rejected") } } });
  });

  it("updates the message when the request is decided in the console", async () => {
    const id = await waitingAction(routedTool, key);
    await deliverFor("slack", id);
    const posted = await db.slackMessage.findUniqueOrThrow({ where: { actionId: id } });
    const console = await makeUser("approver");
    await decideApproval(db, console, id, { verdict: "reject", reason: "wrong cluster" });
    await deliverFor("slack", id, "approval.decided");
    const update = slack
      .callsOf("chat.update")
      .filter((c) => c.body.ts === posted.ts)
      .at(-1)!;
    expect(JSON.stringify(update.body.blocks)).toContain(`Rejected by ${console.email}: wrong cluster`);
  });

  it("a critical tool goes to the critical channel and keeps its quorum: one Slack approval is one vote", async () => {
    const critical = (await makeTool({ prefix: "db.drop", scopes: [], risk: "critical" })).name;
    const agent = await makeGrantedAgent([critical]);
    const proposed = await propose(agent.key, { tool: critical, confidence: 0.99 });
    const id = proposed.json.id as string;
    await deliverFor("slack", id);
    const post = slack.callsOf("chat.postMessage").find((c) => JSON.stringify(c.body).includes(id))!;
    expect(post.body.channel).toBe("#critical");
    const posted = await db.slackMessage.findUniqueOrThrow({ where: { actionId: id } });
    const signed = slack.signedInteraction(
      buttonClick(slack, { slackUser: "U_APPROVER", actionId: id, button: "warden_approve", channel: posted.channel, ts: posted.ts }),
    );
    await handleSlackInteraction(db, {
      body: signed.body,
      timestamp: signed.headers["x-slack-request-timestamp"],
      signature: signed.headers["x-slack-signature"],
    });
    expect(await status(id)).toBe("pending_approval");
    const update = slack
      .callsOf("chat.update")
      .filter((c) => c.body.ts === posted.ts)
      .at(-1)!;
    expect(JSON.stringify(update.body.blocks)).toContain(`1 of 2 approvals (${approver.email})`);
    // The same person again does not make two.
    const again = slack.signedInteraction(
      buttonClick(slack, { slackUser: "U_APPROVER", actionId: id, button: "warden_approve", channel: posted.channel, ts: posted.ts }),
    );
    await handleSlackInteraction(db, {
      body: again.body,
      timestamp: again.headers["x-slack-request-timestamp"],
      signature: again.headers["x-slack-signature"],
    });
    expect(slack.responses.at(-1)).toMatchObject({ text: expect.stringContaining("already approved") });
    expect(await status(id)).toBe("pending_approval");
  });

  it("a quorum vote cast in the console shows in the Slack message too", async () => {
    const critical = (await makeTool({ prefix: "db.drop", scopes: [], risk: "critical" })).name;
    const agent = await makeGrantedAgent([critical]);
    const id = (await propose(agent.key, { tool: critical, confidence: 0.99 })).json.id as string;
    await deliverFor("slack", id);
    const posted = await db.slackMessage.findUniqueOrThrow({ where: { actionId: id } });
    const inConsole = await makeUser("approver");
    await decideApproval(db, inConsole, id, { verdict: "approve" });
    await deliverFor("slack", id, "approval.voted");
    const update = slack
      .callsOf("chat.update")
      .filter((c) => c.body.ts === posted.ts)
      .at(-1)!;
    expect(JSON.stringify(update.body.blocks)).toContain(`1 of 2 approvals (${inConsole.email})`);
    expect(JSON.stringify(update.body.blocks)).toContain("warden_approve");
  });
});

type Mail = { from: string; to: string[]; raw: string; user?: string };

describe("approvals by email", () => {
  const mails: Mail[] = [];
  const smtp = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    onAuth(auth, _session, callback) {
      if (auth.username === "warden" && auth.password === "smtp-password-1") return callback(null, { user: auth.username });
      return callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          user: String(session.user),
        });
        callback();
      });
    },
  });
  let port = 0;
  let key = "";
  let tool = "";

  beforeAll(async () => {
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    port = (smtp.server.address() as AddressInfo).port;
    tool = (await makeTool({ prefix: "mail", scopes: [] })).name;
    ({ key } = await makeGrantedAgent([tool]));
  });
  afterAll(async () => {
    await removeChannel(db, await makeUser("admin"), "email");
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it("mails each request to the recipients with a link that opens it in the console, and no way to decide from the mail", async () => {
    const admin = await makeUser("admin");
    await saveEmailSettings(db, admin, {
      host: "127.0.0.1",
      port,
      secure: false,
      username: "warden",
      password: "smtp-password-1",
      from: "Warden <warden@example.test>",
      to: ["oncall@example.test", "lead@example.test"],
    });
    const row = await db.notificationChannel.findUniqueOrThrow({ where: { kind: "email" } });
    expect(row.sealedSecrets).not.toContain("smtp-password-1");
    expect(JSON.stringify(await describeChannels(db))).not.toContain("smtp-password-1");

    const id = await waitingAction(tool, key, `git push --force origin ${unique("branch")}`);
    await deliverFor("email", id);
    const mail = mails.find((m) => m.raw.includes(id))!;
    expect(mail.user).toBe("warden");
    expect(mail.from).toBe("warden@example.test");
    expect(mail.to.sort()).toEqual(["lead@example.test", "oncall@example.test"]);
    const unfolded = mail.raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
    expect(unfolded).toMatch(/Subject: \[Warden\] Approval needed: git push --force/);
    expect(unfolded).toContain(`/inbox?action=${id}`);
    expect(unfolded).toContain("git push --force");
    expect(unfolded).not.toMatch(/https?:\/\/\S*(approve|reject)/i);
  });

  it("with no recipients set, mails every active approver, operator and admin; a request decided first is not mailed", async () => {
    const admin = await makeUser("admin");
    await saveEmailSettings(db, admin, { host: "127.0.0.1", port, secure: false, username: "warden", from: "warden@example.test", to: [] });
    const approver = await makeUser("approver");
    const viewer = await makeUser("viewer");
    const id = await waitingAction(tool, key);
    await deliverFor("email", id);
    const mail = mails.find((m) => m.raw.includes(id))!;
    expect(mail.to).toContain(approver.email);
    expect(mail.to).not.toContain(viewer.email);

    const decided = await waitingAction(tool, key);
    await decideApproval(db, approver, decided, { verdict: "approve" });
    await deliverFor("email", decided);
    expect(mails.some((m) => m.raw.includes(decided))).toBe(false);
  });

  it("retries when the SMTP server refuses, as webhooks do", async () => {
    const admin = await makeUser("admin");
    await saveEmailSettings(db, admin, {
      host: "127.0.0.1",
      port,
      secure: false,
      username: "warden",
      password: "wrong-password",
      from: "warden@example.test",
      to: ["oncall@example.test"],
    });
    const id = await waitingAction(tool, key);
    await expect(deliverFor("email", id)).rejects.toThrow(/Invalid username or password|auth/i);
    const row = await db.webhookDelivery.findFirstOrThrow({ where: { channel: "email", payload: { path: ["actionId"], equals: id } } });
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
  });
});

describe("stored channel secrets go only where they were typed for", () => {
  it("a new Slack API address, or a new signing secret alone, needs the secrets typed again; a new SMTP server does not get the old password", async () => {
    const admin = await makeUser("admin");
    const base = { defaultChannel: "#approvals", routes: [] };
    await saveSlackConnection(db, admin, { ...base, botToken: "xoxb-first-token", signingSecret: "first-signing-secret", apiUrl: "https://slack.com/api" });
    await expect(saveSlackConnection(db, admin, { ...base, apiUrl: "https://attacker.example/api" })).rejects.toThrow(/bot token and signing secret/);
    await expect(saveSlackConnection(db, admin, { ...base, signingSecret: "known-to-the-admin", apiUrl: "https://slack.com/api" })).rejects.toThrow(
      /bot token typed again/,
    );
    await saveSlackConnection(db, admin, { ...base, apiUrl: "https://slack.com/api" }); // same address: the secrets stay
    await removeChannel(db, admin, "slack");

    const mail = { host: "smtp.example.test", port: 587, secure: false, username: "warden", from: "warden@example.test", to: [] };
    await saveEmailSettings(db, admin, { ...mail, password: "smtp-password" });
    await saveEmailSettings(db, admin, { ...mail, host: "smtp.attacker.example" });
    const moved = await loadEmailChannel(db);
    expect(moved?.secrets.password).toBeUndefined();
    await removeChannel(db, admin, "email");
  });
});
