/** One outbox row for a notification channel (Slack, email), as the outbox sender claimed it. */
export type ChannelDelivery = { id: string; event: string; payload: unknown };

/** The action an approval event is about (every approval event's payload names it). */
export function actionIdOf(payload: unknown): string | null {
  const id = (payload as { actionId?: unknown } | null)?.actionId;
  return typeof id === "string" ? id : null;
}
