import type { Db, DbOrTx, Tx } from "./client";

// Work to run once a transaction has committed (local event delivery), keyed by its client.
const afterCommit = new WeakMap<object, (() => void)[]>();

/** A transaction whose onCommit hooks run after it commits, and never if it rolls back. */
export async function transaction<T>(db: Db, fn: (tx: Tx) => Promise<T>, options?: { timeout?: number; maxWait?: number }): Promise<T> {
  const hooks: (() => void)[] = [];
  const result = await db.$transaction(async (tx) => {
    afterCommit.set(tx, hooks);
    return fn(tx);
  }, options);
  for (const hook of hooks) hook();
  return result;
}

/**
 * Runs `fn` in a transaction: a new one on the client, or the caller's own when it already
 * holds one (an Idempotency-Key request wraps the whole service call in its transaction).
 * Never use the global client inside `fn`: its statements would run outside the transaction
 * (and wait on the rows it locks).
 */
export function inTransaction<T>(db: DbOrTx, fn: (tx: Tx) => Promise<T>, options?: { timeout?: number }): Promise<T> {
  if (isRootClient(db)) return transaction(db, fn, options);
  return fn(db);
}

/** The client itself, as opposed to a transaction (which has no $connect). */
export function isRootClient(db: DbOrTx): db is Db {
  return typeof (db as Partial<Db>).$connect === "function";
}

/** Runs `hook` after the transaction commits; at once when `db` is not a transaction. */
export function onCommit(db: DbOrTx, hook: () => void): void {
  const hooks = afterCommit.get(db);
  if (hooks) hooks.push(hook);
  else hook();
}
