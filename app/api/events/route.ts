import { getSessionUser } from "@/server/auth/session";
import { eventStreamResponse } from "@/server/events/event-stream";

export const dynamic = "force-dynamic";

/** The console's live feed: every bus event, for any signed-in person (events carry only ids). */
export async function GET(request: Request) {
  if (!(await getSessionUser())) {
    return Response.json({ error: { code: "unauthorized", message: "Sign in first" } }, { status: 401 });
  }
  return eventStreamResponse(request.signal, { format: (event) => ({ event: event.type, data: event }) });
}
