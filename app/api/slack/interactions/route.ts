import { db } from "@/server/db/client";
import { env } from "@/server/env";
import { handleSlackInteraction } from "@/server/notifications/slack/slack-interactions";

// Slack's servers call this: it is authenticated by Slack's request signature (checked in
// handleSlackInteraction), never by the session cookie, and proxy.ts leaves it out like /api/v1.
export async function POST(request: Request): Promise<Response> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > env.WARDEN_MAX_BODY_BYTES) return Response.json({ error: "body too large" }, { status: 413 });
  const body = await readCapped(request, env.WARDEN_MAX_BODY_BYTES);
  if (body === null) return Response.json({ error: "body too large" }, { status: 413 });
  const answer = await handleSlackInteraction(db, {
    body,
    timestamp: request.headers.get("x-slack-request-timestamp"),
    signature: request.headers.get("x-slack-signature"),
  });
  return answer.json === undefined ? new Response(null, { status: answer.status }) : Response.json(answer.json, { status: answer.status });
}

/** The body's text, or null once it passes `limit` bytes (a chunked body declares no length). */
async function readCapped(request: Request, limit: number): Promise<string | null> {
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
