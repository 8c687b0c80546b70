import { db } from "@/server/db/client";

export const dynamic = "force-dynamic";

/**
 * For load balancers and the launcher: 200 when this instance can reach its database. `pid`
 * lets the launcher tell its own server from another program answering on the same port.
 */
export async function GET() {
  try {
    await db.$queryRaw`SELECT 1`;
    return Response.json({ ok: true, database: "up", pid: process.pid });
  } catch {
    return Response.json({ ok: false, database: "down", pid: process.pid }, { status: 503 });
  }
}
