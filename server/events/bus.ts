import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { onCommit } from "../db/transaction";
import { env } from "../env";

/**
 * The one event bus of the console and the agent streams. An event published inside a
 * transaction reaches this instance's subscribers after the commit (never on rollback), and
 * other instances through PostgreSQL NOTIFY, which PostgreSQL also delivers only on commit.
 */
export type WardenEvent =
  | { type: "approval.created"; actionId: string; agentId: string }
  | { type: "approval.decided"; actionId: string; agentId: string; status: string; seq?: number }
  | { type: "action.decided"; actionId: string; agentId: string; decision: string }
  | { type: "action.result"; actionId: string; agentId: string; status: string }
  | { type: "notification.created"; notificationId: string }
  | { type: "policy.changed"; version: number }
  | { type: "task.queued"; taskId: string; capability: string }
  | { type: "task.changed"; taskId: string; status: string; agentId: string | null }
  | { type: "control.changed"; epoch: number; kind: "fleet" | "team" | "agent"; key: string; state: "running" | "paused" | "suspended" | "killed"; reason: string | null; at: string }
  | { type: "control.acked"; epoch: number; count: number }
  | { type: "rollback.ordered"; seq: number; rollbackId: string; agentId: string; actionId: string; epoch: number }
  | { type: "rollback.updated"; rollbackId: string; epoch: number; status: string }
  | { type: "tool.changed"; name: string }
  /** Some of a person's sessions ended (signed out, new password, role change, deactivated). */
  | { type: "sessions.ended"; userId: string };

const CHANNEL = "warden_events";

// Next.js bundles this module more than once in one process (instrumentation, route handlers),
// so everything per-process lives on globalThis, the instance id included: with one id per
// module copy, the listener took this process's own notifications for another instance's and
// emitted every event twice.
type BusState = { instanceId: string; emitter: EventEmitter; listener: pg.Client | null; starting: Promise<void> | null };
const holder = globalThis as unknown as { wardenBus?: BusState };
const state: BusState = (holder.wardenBus ??= { instanceId: randomUUID(), emitter: new EventEmitter().setMaxListeners(0), listener: null, starting: null });

const crossInstance = () => Boolean(env.DATABASE_URL);

/**
 * The SELECT that sends `events` to the other instances (delivered by PostgreSQL on commit);
 * a plain SELECT 1 where there are none to reach.
 */
export function notifyOtherInstancesSql(events: WardenEvent[]): Prisma.Sql {
  if (!crossInstance() || events.length === 0) return Prisma.sql`SELECT 1`;
  const payloads = events.map((event) => JSON.stringify({ origin: state.instanceId, event }));
  return Prisma.sql`SELECT pg_notify(${CHANNEL}, payload) FROM unnest(${payloads}::text[]) AS payload`;
}

/** Delivers `events` to this instance's subscribers once `db`'s transaction commits. */
export function emitLocallyOnCommit(db: DbOrTx, events: WardenEvent[]): void {
  onCommit(db, () => {
    for (const event of events) state.emitter.emit("event", event);
  });
}

export async function publish(db: DbOrTx, event: WardenEvent): Promise<void> {
  if (crossInstance()) await db.$executeRaw(notifyOtherInstancesSql([event]));
  emitLocallyOnCommit(db, [event]);
}

/** Calls `listener` with every event from now on; returns the unsubscribe function. */
export function subscribe(listener: (event: WardenEvent) => void): () => void {
  void startCrossInstanceListener();
  state.emitter.on("event", listener);
  return () => state.emitter.off("event", listener);
}

/** Waits for the first event that `match` accepts, or null after `timeoutMs`. */
export function waitForEvent(match: (event: WardenEvent) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<WardenEvent | null> {
  return new Promise((resolve) => {
    const done = (event: WardenEvent | null) => {
      clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener("abort", onAbort);
      resolve(event);
    };
    const onAbort = () => done(null);
    const unsubscribe = subscribe((event) => {
      if (match(event)) done(event);
    });
    const timer = setTimeout(() => done(null), timeoutMs);
    signal?.addEventListener("abort", onAbort);
  });
}

/** One LISTEN connection per process, reconnecting after a drop. */
function startCrossInstanceListener(): Promise<void> {
  if (!crossInstance() || state.listener || state.starting) return state.starting ?? Promise.resolve();
  state.starting = (async () => {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    client.on("notification", (message) => {
      if (!message.payload) return;
      const { origin, event } = JSON.parse(message.payload) as { origin: string; event: WardenEvent };
      if (origin !== state.instanceId) state.emitter.emit("event", event);
    });
    client.on("error", (error) => {
      console.error("[events] listener connection failed; reconnecting", error.message);
      state.listener = null;
      setTimeout(() => void startCrossInstanceListener(), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    state.listener = client;
  })()
    .catch((error: unknown) => {
      console.error("[events] could not listen", error);
      setTimeout(() => void startCrossInstanceListener(), 1000).unref();
    })
    .finally(() => {
      state.starting = null;
    });
  return state.starting;
}

/** Starts listening at server start, so events published elsewhere arrive before anyone subscribes. */
export function startEventBus(): Promise<void> {
  return startCrossInstanceListener();
}
