import type { AgentActor, RequestOrigin } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { Db } from "../db/client";

/** Refused calls audited one row each per agent and minute; past that, counted (tests shorten it). */
export const refusalAuditLimits = { rowsPerWindow: 30, windowMs: 60_000 };

type Window = { endsAt: number; written: number; suppressed: number; lastTool: string; lastReason: string };
const windows = new Map<string, Window>();

/**
 * Audits a gateway call refused before it became an action (`gateway.call_refused`, with the
 * tool as called and the refusal the agent read). A stopped or looping agent may send such calls
 * by the hundred a second (a batch holds up to 100): each costs an INSERT on the pool the other
 * agents' decisions use, so past 30 rows in a minute for one agent the rest are counted, and one
 * `gateway.calls_refused` row at the minute's end says how many, with the last tool and reason.
 * Nothing is lost from the log: a refusal is either its own row or in a count. Per process.
 */
export async function auditRefusal(db: Db, actor: AgentActor, entry: { tool: string; reason: string }, origin?: RequestOrigin): Promise<void> {
  const now = Date.now();
  let window = windows.get(actor.id);
  if (!window || window.endsAt <= now) {
    window = { endsAt: now + refusalAuditLimits.windowMs, written: 0, suppressed: 0, lastTool: "", lastReason: "" };
    windows.set(actor.id, window);
    if (windows.size > 10_000) for (const [id, w] of windows) if (w.endsAt <= now && w.suppressed === 0) windows.delete(id);
  }
  if (window.written < refusalAuditLimits.rowsPerWindow) {
    window.written++;
    await write(db, actor, "gateway.call_refused", entry, origin);
    return;
  }
  window.lastTool = entry.tool;
  window.lastReason = entry.reason;
  if (window.suppressed++ > 0) return;
  const counted = window;
  setTimeout(() => {
    if (windows.get(actor.id) === counted) windows.delete(actor.id);
    const data = { count: counted.suppressed, until: new Date(counted.endsAt).toISOString(), lastTool: counted.lastTool, lastReason: counted.lastReason };
    void write(db, actor, "gateway.calls_refused", data, origin);
  }, counted.endsAt - now).unref();
}

async function write(db: Db, actor: AgentActor, verb: string, data: Record<string, string | number>, origin?: RequestOrigin): Promise<void> {
  await appendAudit(db, { actor, verb, subject: { type: "agent", id: actor.id }, data, origin }).catch((error: unknown) => {
    // Nothing ran either way: the refusal stands, and the log says its row is missing.
    console.error(`[mcp-gateway] could not audit refused calls of ${actor.label}:`, error);
  });
}
