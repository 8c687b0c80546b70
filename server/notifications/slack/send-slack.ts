import type { DbOrTx } from "../../db/client";
import { loadApprovalSummary } from "../approval-for-message";
import { actionIdOf, type ChannelDelivery } from "../channel-delivery";
import { loadSlackChannel } from "../channels";
import { approvalBlocks } from "./approval-blocks";
import { callSlack } from "./slack-api";
import { pickSlackChannel } from "./slack-route";

/**
 * One outbox row for Slack. `approval.requested`: post the request to the channel its route
 * picks, and remember where (slack_messages). `approval.decided` and `approval.voted` (one vote
 * of a quorum): update that message to where the request stands. Throws to have the outbox retry (Slack down, rate limited); a request that no longer
 * exists, or a decided one never posted, is done with.
 */
export async function sendSlackDelivery(db: DbOrTx, delivery: ChannelDelivery): Promise<void> {
  const slack = await loadSlackChannel(db);
  if (!slack || !slack.enabled) throw new Error("Slack is not connected (Settings → Notifications)");
  const actionId = actionIdOf(delivery.payload);
  if (!actionId) return;
  const summary = await loadApprovalSummary(db, actionId);
  if (!summary) return;
  const { apiUrl } = slack.settings;
  const token = slack.secrets.botToken;
  const posted = await db.slackMessage.findUnique({ where: { actionId } });

  if (delivery.event === "approval.requested") {
    // A retry after a post that went out but was not recorded as delivered: update, do not repost.
    if (posted) {
      await callSlack(apiUrl, token, "chat.update", { channel: posted.channel, ts: posted.ts, ...approvalBlocks(summary) });
      return;
    }
    const channel = pickSlackChannel(slack.settings.routes, slack.settings.defaultChannel, summary);
    const answer = await callSlack<{ channel: string; ts: string }>(apiUrl, token, "chat.postMessage", {
      channel,
      ...approvalBlocks(summary),
      unfurl_links: false,
    });
    await db.slackMessage.create({ data: { actionId, channel: answer.channel, ts: answer.ts } });
    return;
  }
  if ((delivery.event === "approval.decided" || delivery.event === "approval.voted") && posted) {
    await callSlack(apiUrl, token, "chat.update", { channel: posted.channel, ts: posted.ts, ...approvalBlocks(summary) });
  }
}
