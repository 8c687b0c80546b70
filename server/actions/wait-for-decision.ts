import type { DbOrTx } from "../db/client";
import { waitForEvent } from "../events/bus";
import { expireOverdueApprovals } from "../approvals/decide-approval";
import { untilShutdown } from "../lifecycle/shutdown";
import { loadActionView } from "./action-view";

/**
 * Long-poll: answers as soon as the action leaves pending_approval, or after `timeoutSeconds`
 * with it still pending. It sleeps on the event bus (no polling of the database) and wakes at
 * the expiry time to expire the approval itself if the sweep has not yet.
 */
export async function waitForDecision(db: DbOrTx, agentId: string, actionId: string, timeoutSeconds: number, requestSignal?: AbortSignal) {
  // A server that is stopping answers at once with the action as it stands.
  const signal = untilShutdown(requestSignal);
  const deadline = Date.now() + timeoutSeconds * 1000;
  // The inbox shows that this agent waits for the answer, for as long as this wait lasts.
  await db.action.updateMany({ where: { id: actionId, agentId }, data: { agentWaitingUntil: new Date(deadline) } });
  try {
    return await waitLoop(db, agentId, actionId, deadline, signal);
  } finally {
    await db.action
      .updateMany({ where: { id: actionId, agentId, agentWaitingUntil: new Date(deadline) }, data: { agentWaitingUntil: null } })
      .catch(() => undefined);
  }
}

async function waitLoop(db: DbOrTx, agentId: string, actionId: string, deadline: number, signal: AbortSignal) {
  for (;;) {
    // Listen before reading, so a decision committed in between still wakes this wait.
    const stopListening = new AbortController();
    signal?.addEventListener("abort", () => stopListening.abort(), { once: true });
    const decided = waitForEvent(
      (event) => event.type === "approval.decided" && event.actionId === actionId && event.status !== "pending_approval",
      Math.max(0, deadline - Date.now()),
      stopListening.signal,
    );
    const view = await loadActionView(db, actionId, { agentId });
    const now = Date.now();
    const expiresAt = view.expiresAt ? Date.parse(view.expiresAt) : Infinity;
    if (view.status !== "pending_approval" || now >= deadline || signal?.aborted) {
      stopListening.abort();
      return view;
    }
    if (expiresAt <= now) {
      stopListening.abort();
      await expireOverdueApprovals(db);
      continue;
    }
    const expiryTimer = setTimeout(() => stopListening.abort(), expiresAt + 50 - now);
    await decided;
    clearTimeout(expiryTimer);
  }
}
