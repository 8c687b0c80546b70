import { createHmac, timingSafeEqual } from "node:crypto";

/** Slack refuses to replay requests older than this; so does Warden. */
export const SLACK_REPLAY_WINDOW_SECONDS = 5 * 60;

/** Slack's v0 request signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret. */
export function slackSignature(signingSecret: string, timestamp: string, body: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/**
 * Whether a request came from Slack, as Slack documents it ("Verifying requests from Slack"):
 * the X-Slack-Request-Timestamp within five minutes of now, and X-Slack-Signature equal to the
 * signature of the raw body, compared in constant time. Returns why not, or null.
 */
export function slackRequestProblem(input: {
  signingSecret: string;
  timestamp: string | null;
  signature: string | null;
  body: string;
  nowSeconds: number;
}): string | null {
  const { timestamp, signature } = input;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return "missing or malformed X-Slack-Request-Timestamp";
  if (Math.abs(input.nowSeconds - Number(timestamp)) > SLACK_REPLAY_WINDOW_SECONDS) return "X-Slack-Request-Timestamp is more than five minutes from now";
  if (!signature) return "missing X-Slack-Signature";
  const expected = Buffer.from(slackSignature(input.signingSecret, timestamp, input.body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "X-Slack-Signature does not match";
  return null;
}
