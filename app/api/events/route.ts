import { getSignedInSession } from "@/server/auth/session";
import { liveSessionUser } from "@/server/auth/user-sessions";
import { db } from "@/server/db/client";
import { eventStreamResponse } from "@/server/events/event-stream";

export const dynamic = "force-dynamic";

/**
 * The console's live feed: every bus event, for any signed-in person (events carry only ids).
 * It closes as soon as the session ends (signed out, new password, role change, deactivated,
 * on any instance), with a last `session.ended` message that sends the console to the login page.
 */
export async function GET(request: Request) {
  const session = await getSignedInSession();
  if (!session) {
    return Response.json({ error: { code: "unauthorized", message: "Sign in first" } }, { status: 401 });
  }
  return eventStreamResponse(request.signal, {
    format: (event) => (event.type === "sessions.ended" ? null : { event: event.type, data: event }),
    stillAllowed: {
      check: async () => (await liveSessionUser(db, session.sessionId)) !== null,
      affectedBy: (event) => event.type === "sessions.ended" && event.userId === session.user.id,
      farewell: { event: "session.ended", data: {} },
    },
  });
}
