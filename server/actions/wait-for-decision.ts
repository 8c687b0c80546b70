import type { DbOrTx } from "../db/client";
import { waitForEvent } from "../events/bus";
import { expireOverdueApprovals } from "../approvals/decide-approval";
import { loadActionView } from "./action-view";

/**
 * Long-poll: answers as soon as the action leaves pending_approval, or after `timeoutSeconds`
 * with it still pending. It sleeps on the event bus (no polling of the database) and wakes at
 * the expiry time to expire the approval itself if the sweep has not yet.
 */
export async function waitForDecision(db: DbOrTx, agentId: string, actionId: string, timeoutSeconds: number, signal?: AbortSignal) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const view = await loadActionView(db, actionId, { agentId });
    if (view.status !== "pending_approval") return view;
    const now = Date.now();
    if (now >= deadline || signal?.aborted) return view;
    const expiresAt = view.expiresAt ? Date.parse(view.expiresAt) : Infinity;
    if (expiresAt <= now) {
      await expireOverdueApprovals(db);
      continue;
    }
    await waitForEvent(
      (event) => event.type === "approval.decided" && event.actionId === actionId && event.status !== "pending_approval",
      Math.min(deadline, expiresAt + 50) - now,
      signal,
    );
  }
}
