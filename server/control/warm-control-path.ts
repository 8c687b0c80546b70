import { randomUUID } from "node:crypto";
import type { Db } from "../db/client";
import { transaction } from "../db/transaction";
import { AppError } from "../errors";
import { changeControl } from "./change-control";

class DryRun extends Error {}

/**
 * Runs a suspend once at start, in a transaction that is rolled back, so the first real one does
 * not pay for the kill switch's cold path: Prisma plans each query shape on first use, and a
 * fresh process's first suspend took 280 ms against 11 ms for the next (1,000 agents). It names
 * an agent that does not exist, so it reaches nobody; the rollback undoes every row it wrote and
 * every announcement it queued (only a number of the epoch sequence is used up).
 */
export async function warmControlPath(db: Db): Promise<void> {
  const key = randomUUID();
  try {
    // Our transaction helper: its after-commit work (local event delivery) never runs on a rollback.
    await transaction(db, async (tx) => {
      await changeControl(
        tx,
        { type: "system", id: null, label: "warden" },
        { scope: { kind: "agent", key, label: "warm-up" }, state: "suspended", reason: "warm-up" },
      );
      throw new DryRun();
    });
  } catch (error) {
    // A fleet already suspended or killed refuses the suspend (409): the path ran up to there,
    // and there is nothing to warn anyone about.
    if (error instanceof DryRun || (error instanceof AppError && error.code === "CONFLICT")) return;
    throw error;
  }
}
