import { db } from "@/server/db/client";

export const dynamic = "force-dynamic";

/** For load balancers and the launcher: 200 when this instance can reach its database. */
export async function GET() {
  try {
    await db.$queryRaw`SELECT 1`;
    return Response.json({ ok: true, database: "up" });
  } catch {
    return Response.json({ ok: false, database: "down" }, { status: 503 });
  }
}
