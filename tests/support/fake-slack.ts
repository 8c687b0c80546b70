import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type SlackCall = { method: string; token: string | null; body: Record<string, unknown> };

/**
 * A local stand-in for Slack, run by a test: the Web API methods Warden calls (chat.postMessage,
 * chat.update, views.open, users.info) at `${apiUrl}/<method>`, response_url endpoints, and the
 * other direction: interactions POSTed to Warden signed exactly as Slack documents them
 * ("Verifying requests from Slack": v0 HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing
 * secret, in X-Slack-Signature, the Unix time in X-Slack-Request-Timestamp; the body is
 * `payload=<url-encoded JSON>`).
 */
export async function startFakeSlack(options: {
  botToken: string;
  signingSecret: string;
  emails: Record<string, string>;
  profiles?: Record<string, Record<string, boolean>>;
}) {
  const calls: SlackCall[] = [];
  const responses: Record<string, unknown>[] = [];
  let nextTs = 1_700_000_000;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const reply = (status: number, json: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
      const url = new URL(req.url ?? "/", "http://fake");
      if (url.pathname.startsWith("/response/")) {
        responses.push(JSON.parse(raw) as Record<string, unknown>);
        return reply(200, { ok: true });
      }
      const method = url.pathname.replace(/^\/api\//, "");
      const token = req.headers.authorization?.replace(/^Bearer /, "") ?? null;
      const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
      calls.push({ method, token, body });
      if (token !== options.botToken) return reply(200, { ok: false, error: "invalid_auth" });
      switch (method) {
        case "chat.postMessage": {
          const channel = String(body.channel).replace(/^#/, "C_");
          return reply(200, { ok: true, channel, ts: `${nextTs++}.000100`, message: { text: body.text } });
        }
        case "chat.update":
          return reply(200, { ok: true, channel: body.channel, ts: body.ts });
        case "views.open":
          return reply(200, { ok: true, view: { id: "V1" } });
        case "users.info": {
          // An empty email: a user whose profile hides it (the app lacks users:read.email).
          const email = options.emails[String(body.user)];
          if (email === undefined) return reply(200, { ok: false, error: "user_not_found" });
          // A full, confirmed member of the workspace, as Slack describes one.
          const flags = options.profiles?.[String(body.user)] ?? {};
          return reply(200, {
            ok: true,
            user: { id: body.user, is_email_confirmed: true, is_restricted: false, is_stranger: false, ...flags, profile: email ? { email } : {} },
          });
        }
        default:
          return reply(200, { ok: false, error: "unknown_method" });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: `${base}/api`,
    responseUrl: (id: string) => `${base}/response/${id}`,
    calls,
    responses,
    callsOf: (method: string) => calls.filter((c) => c.method === method),
    /** The signed request Slack would send for `payload` (a timestamp and secret of the test's choosing). */
    signedInteraction(payload: unknown, at = Math.floor(Date.now() / 1000), secret = options.signingSecret) {
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      const timestamp = String(at);
      const signature = `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
      return { body, headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": timestamp, "x-slack-signature": signature } };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;

/** A button click on an approval message, as Slack sends it. */
export function buttonClick(
  fake: FakeSlack,
  input: { slackUser: string; actionId: string; button: "warden_approve" | "warden_reject"; channel: string; ts: string },
) {
  return {
    type: "block_actions",
    user: { id: input.slackUser, username: input.slackUser },
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    response_url: fake.responseUrl(input.slackUser),
    channel: { id: input.channel },
    message: { ts: input.ts },
    actions: [{ action_id: input.button, block_id: "decision", value: input.actionId, type: "button" }],
  };
}

/** The reject modal's submission, with the private_metadata Warden put in the view it opened. */
export function rejectSubmission(input: { slackUser: string; privateMetadata: string; reason: string }) {
  return {
    type: "view_submission",
    user: { id: input.slackUser },
    view: {
      callback_id: "warden_reject_reason",
      private_metadata: input.privateMetadata,
      state: { values: { reason: { reason_input: { type: "plain_text_input", value: input.reason } } } },
    },
  };
}
