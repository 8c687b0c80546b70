import { db } from "@/server/db/client";
import { env } from "@/server/env";
import { readCappedText } from "@/server/http/web-adapter";
import { handleSlackInteraction } from "@/server/notifications/slack/slack-interactions";

// Slack's servers call this: it is authenticated by Slack's request signature (checked in
// handleSlackInteraction), never by the session cookie, and proxy.ts leaves it out like /api/v1.
export async function POST(request: Request): Promise<Response> {
  const body = await readCappedText(request, env.WARDEN_MAX_BODY_BYTES);
  if (body === null) return Response.json({ error: "body too large" }, { status: 413 });
  const answer = await handleSlackInteraction(db, {
    body,
    timestamp: request.headers.get("x-slack-request-timestamp"),
    signature: request.headers.get("x-slack-signature"),
  });
  return answer.json === undefined ? new Response(null, { status: answer.status }) : Response.json(answer.json, { status: answer.status });
}
