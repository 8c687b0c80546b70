import type { DbOrTx, Tx } from "./client";

/**
 * Runs `fn` in a transaction: a new one on the client, or the caller's own when it already
 * holds one (an Idempotency-Key request wraps the whole service call in its transaction).
 * Never use the global client inside `fn`: with the embedded database that would wait on the
 * transaction it is part of.
 */
export function inTransaction<T>(db: DbOrTx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if ("$transaction" in db) return db.$transaction(fn);
  return fn(db);
}
