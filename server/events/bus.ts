import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { pgPool } from "../db/pg-pool";
import type { DbOrTx } from "../db/client";
import { Prisma } from "../db/generated/client";
import type { ControlLevel, ScopeKind } from "../db/generated/enums";
import type { LiveEventType } from "../schemas/enums";
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
  | { type: "control.changed"; epoch: number; kind: ScopeKind; key: string; state: ControlLevel; reason: string | null; at: string }
  | { type: "control.acked"; epoch: number; count: number }
  | { type: "rollback.ordered"; seq: number; rollbackId: string; agentId: string; actionId: string; epoch: number }
  | { type: "rollback.updated"; rollbackId: string; epoch: number; status: string }
  | { type: "tool.changed"; name: string }
  /** An upstream MCP server's configuration saved or deleted: every process reconnects to it. */
  | { type: "mcp_server.changed"; name: string }
  /** An agent key revoked (keyId) or the agent deactivated (keyId null): its streams close at once. */
  | { type: "agent.access_revoked"; agentId: string; keyId: string | null }
  /** An agent's grants changed (tools, scopes, capabilities): cached principals reload it. */
  | { type: "agent.changed"; agentId: string }
  /** A person's personal tokens or rights changed (token revoked, role changed, deactivated). */
  | { type: "user.access_changed"; userId: string }
  /** Some of a person's sessions ended (signed out, new password, role change, deactivated). */
  | { type: "sessions.ended"; userId: string };

// The console's live events (declared in server/schemas/enums.ts, which the browser can import)
// must be events this bus publishes: a name there that is not a type here fails to compile.
type EveryLiveEventIsPublished = LiveEventType extends WardenEvent["type"] ? true : never;
const everyLiveEventIsPublished: EveryLiveEventIsPublished = true;
void everyLiveEventIsPublished;

const CHANNEL = "warden_events";

// Next.js bundles this module more than once in one process (instrumentation, route handlers),
// so everything per-process lives on globalThis, the instance id included: with one id per
// module copy, the listener took this process's own notifications for another instance's and
// emitted every event twice.
// `heardEpoch` is the newest control change delivered while the LISTEN connection was up (or read
// back after it): when it drops and comes back, every change committed after it is read from the
// database and delivered, so no suspend or kill is lost to a reconnect. Not the newest delivered:
// this process's own change, delivered at once, may be newer than another instance's it has not
// heard yet. `delivered` holds the recent epochs delivered, so each is delivered once, in
// whatever order they arrive.
type BusState = {
  instanceId: string;
  emitter: EventEmitter;
  listener: pg.Client | null;
  starting: Promise<void> | null;
  heardEpoch: number | null;
  delivered: Set<number>;
  /** Announcements waiting for the next batched NOTIFY (see announceAfterCommit). */
  outbox: string[];
  flushing: ReturnType<typeof setTimeout> | null;
};
const holder = globalThis as unknown as { wardenBus?: BusState };
const state: BusState = (holder.wardenBus ??= {
  instanceId: randomUUID(),
  emitter: new EventEmitter().setMaxListeners(0),
  listener: null,
  starting: null,
  heardEpoch: null,
  delivered: new Set(),
  outbox: [],
  flushing: null,
});

const REMEMBERED_EPOCHS = 10_000;

/**
 * Hands an event to this process's subscribers, each control change once. Not necessarily in
 * epoch order: another instance's change may arrive after a newer one made here (subscribers keep
 * the newest epoch per scope, as control/agent-stream.ts does).
 */
function deliver(event: WardenEvent): void {
  if (event.type === "control.changed") {
    if (state.delivered.has(event.epoch)) return;
    state.delivered.add(event.epoch);
    // Insertion order is roughly epoch order: the oldest go first.
    if (state.delivered.size > REMEMBERED_EPOCHS) state.delivered.delete(state.delivered.values().next().value!);
  }
  state.emitter.emit("event", event);
}

/** A control change heard from the listener (or read back after a reconnect): catch-up starts after the newest. */
function noteHeard(epoch: number): void {
  state.heardEpoch = Math.max(state.heardEpoch ?? 0, epoch);
}

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

/**
 * The pg_notify call for an event built in SQL (a JSON object expression over a statement's
 * rows, when the event names a row the statement itself chooses), or NULL where no other
 * instance listens. Select it from the rows: one notification per row, on commit.
 */
export function notifyOtherInstancesExpr(eventJson: Prisma.Sql): Prisma.Sql {
  if (!crossInstance()) return Prisma.sql`NULL`;
  return Prisma.sql`pg_notify(${CHANNEL}, json_build_object('origin', ${state.instanceId}::text, 'event', ${eventJson})::text)`;
}

/**
 * For what the console shows and no agent waits on (an auto-run action decided, a notification
 * filed): delivered here on commit, and to other instances by a NOTIFY of its own a few
 * milliseconds later, batched with the other announcements of that moment.
 *
 * Why not in the writing statement: PostgreSQL serializes the commits of every transaction that
 * sent a NOTIFY, cluster-wide (one lock, held through the commit's WAL flush), which capped the
 * decisions at one commit per flush, about 100 a second on this machine. Control changes,
 * approvals decided and undo orders still notify inside their transactions, where "no instance
 * learns of it before it commits, and every instance does" matters; for these the cost of a
 * process dying in the few milliseconds after its commit is another instance's console
 * refreshing later.
 */
export function announceAfterCommit(db: DbOrTx, events: WardenEvent[]): void {
  onCommit(db, () => {
    for (const event of events) deliver(event);
    if (!crossInstance() || events.length === 0) return;
    for (const event of events) state.outbox.push(JSON.stringify({ origin: state.instanceId, event }));
    state.flushing ??= setTimeout(flushAnnouncements, ANNOUNCE_BATCH_MS);
  });
}

const ANNOUNCE_BATCH_MS = 10;

function flushAnnouncements(): void {
  const payloads = state.outbox;
  state.outbox = [];
  state.flushing = null;
  pgPool()
    .query(`SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload`, [CHANNEL, payloads])
    .catch((error: unknown) => console.error(`[events] could not announce ${payloads.length} event(s) to the other instances`, error));
}

/** Delivers `events` to this instance's subscribers once `db`'s transaction commits. */
export function emitLocallyOnCommit(db: DbOrTx, events: WardenEvent[]): void {
  onCommit(db, () => {
    for (const event of events) deliver(event);
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
    // TCP keep-alive: a LISTEN socket a NAT or proxy drops while idle is noticed, then reconnected.
    const client = new pg.Client({ connectionString: env.DATABASE_URL, keepAlive: true });
    client.on("notification", (message) => {
      if (!message.payload) return;
      const { origin, event } = JSON.parse(message.payload) as { origin: string; event: WardenEvent };
      // Its own notifications move what was heard too (they were delivered when made), so a
      // catch-up after a drop does not read them again.
      if (event.type === "control.changed") noteHeard(event.epoch);
      if (origin !== state.instanceId) deliver(event);
    });
    let lost = false;
    const reconnect = (why: string) => {
      if (lost) return;
      lost = true;
      console.warn(`[events] listener connection lost (${why}); reconnecting`);
      if (state.listener === client) state.listener = null;
      client.end().catch(() => undefined);
      setTimeout(() => void startCrossInstanceListener(), 100).unref();
    };
    client.on("error", (error) => reconnect(error.message));
    client.on("end", () => reconnect("closed"));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    state.listener = client;
    // Announcements made while no connection listened were not heard: caches built on them start over.
    state.emitter.emit(HEARING_AGAIN);
    // Listening again: deliver what committed while nobody listened (nothing on the first start).
    await catchUpControl(client);
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

const CATCH_UP_OVERLAP = 100;

/**
 * The control changes (and their undo orders) committed since the last one this process heard and
 * not delivered yet, read once its LISTEN is in place (so nothing falls between the two).
 */
async function catchUpControl(client: pg.Client): Promise<void> {
  if (state.heardEpoch === null) {
    const { rows } = await client.query<{ epoch: string | null }>("SELECT max(epoch)::text AS epoch FROM control_events");
    state.heardEpoch ??= Number(rows[0]?.epoch ?? 0);
    return;
  }
  // A few epochs back too: epochs are taken before commit, so a change may commit (and be heard)
  // after a newer one; those already delivered are skipped below.
  const since = Math.max(0, state.heardEpoch - CATCH_UP_OVERLAP);
  const missed = await client.query<{ epoch: string; kind: ScopeKind; key: string; state: ControlLevel; reason: string | null; at: Date }>(
    "SELECT epoch::text, kind::text, key, state::text, reason, created_at AS at FROM control_events WHERE epoch > $1 ORDER BY epoch",
    [since],
  );
  const orders = await client.query<{ seq: string; id: string; agent_id: string; action_id: string; epoch: string }>(
    "SELECT seq::text, id, agent_id, action_id, epoch::text FROM rollbacks WHERE epoch > $1 ORDER BY seq",
    [since],
  );
  const unheard = missed.rows.filter((row) => !state.delivered.has(Number(row.epoch)));
  if (unheard.length > 0) console.warn(`[events] delivering ${unheard.length} control change(s) committed while the listener was away`);
  for (const row of unheard) {
    noteHeard(Number(row.epoch));
    deliver({
      type: "control.changed",
      epoch: Number(row.epoch),
      kind: row.kind,
      key: row.key,
      state: row.state,
      reason: row.reason,
      at: row.at.toISOString(),
    });
    for (const order of orders.rows.filter((o) => o.epoch === row.epoch)) {
      deliver({
        type: "rollback.ordered",
        seq: Number(order.seq),
        rollbackId: order.id,
        agentId: order.agent_id,
        actionId: order.action_id,
        epoch: Number(order.epoch),
      });
    }
  }
}

const HEARING_AGAIN = "hearing-again";

/**
 * Whether this process hears the other instances' announcements now: its LISTEN connection is
 * up. A cache that trusts the announcements to drop its entries (lib/bus-cache.ts) keeps them
 * only briefly while it is not.
 */
export function hearsOtherInstances(): boolean {
  return !crossInstance() || state.listener !== null;
}

/** Calls `callback` each time the LISTEN connection is (re)established; returns the unsubscribe function. */
export function onHearingAgain(callback: () => void): () => void {
  state.emitter.on(HEARING_AGAIN, callback);
  return () => state.emitter.off(HEARING_AGAIN, callback);
}

/** Starts listening at server start, so events published elsewhere arrive before anyone subscribes. */
export function startEventBus(): Promise<void> {
  return startCrossInstanceListener();
}
