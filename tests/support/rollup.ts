import { rollUpActions } from "../../server/metrics/rollup-actions";
import { db } from "./fixtures";

/**
 * Runs a metrics rollup pass that began after the caller's writes. Another test file's pass may
 * hold the lock (rollUpActions then returns null at once); wait for ours.
 */
export async function rollUpNow(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await rollUpActions(db)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the metrics rollup never got its lock");
}
