import type { ApprovalSummary } from "../approval-summary";

export const SLACK_ACTION_IDS = { approve: "warden_approve", reject: "warden_reject" } as const;
export const SLACK_REJECT_VIEW = "warden_reject_reason";
export const SLACK_REASON_BLOCK = "reason";
export const SLACK_REASON_INPUT = "reason_input";

/**
 * Slack's mrkdwn treats &, < and > as markup; an agent's text must not become a link or a
 * mention. A backtick would end the code span the text sits in, so it becomes a look-alike.
 */
function escape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll("`", "ˋ");
}

/** Section text is limited to 3,000 characters. */
function clip(text: string, max = 2900): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

type Block = Record<string, unknown>;

/**
 * The Block Kit message for an approval request. While it waits: the context and Approve /
 * Reject buttons (their value is the action id). Once decided, anywhere: the same context, the
 * outcome instead of the buttons.
 */
export function approvalBlocks(summary: ApprovalSummary): { text: string; blocks: Block[] } {
  // The notification text is mrkdwn too (and what a phone shows): escaped like the blocks.
  const text = escape(`${summary.outcome.pending ? "Approval needed" : summary.outcome.text}: ${summary.action} (${summary.agent})`);
  const fields = [
    `*Agent*\n${escape(summary.agent)} (team ${escape(summary.team)})`,
    `*Tool*\n${escape(summary.tool ?? "none named")}`,
    `*Confidence*\n${summary.confidence}`,
    `*Risk*\n${summary.risk}`,
    ...(summary.resource ? [`*Resource*\n${escape(summary.resource)}`] : []),
  ].map((t) => ({ type: "mrkdwn", text: t }));
  const blocks: Block[] = [
    { type: "header", text: { type: "plain_text", text: clip(summary.outcome.pending ? "Approval needed" : "Approval decided", 150) } },
    { type: "section", text: { type: "mrkdwn", text: clip(`\`${escape(summary.action)}\``) }, fields },
    {
      type: "section",
      text: {
        type: "mrkdwn",
        // What would run, not only the agent's description of it.
        text: clip(`*${summary.argsEdited ? "Args (edited by an approver)" : "Args"}*\n\`\`\`${escape(clip(summary.args, 1500))}\`\`\``),
      },
    },
    { type: "section", text: { type: "mrkdwn", text: clip(`*Why it waits*\n${summary.reasons.map((r) => `• ${escape(r)}`).join("\n")}`) } },
  ];
  if (summary.rationale) blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(`*Agent's rationale*\n${escape(summary.rationale)}`) } });
  blocks.push({
    type: "section",
    text: {
      type: "mrkdwn",
      text: clip(
        summary.failures.length === 0
          ? "*Past failures that match*\nNone recorded."
          : `*Past failures that match*\n${summary.failures.map((f) => `• \`${escape(f.subject)}\`: ${escape(f.body)}`).join("\n")}`,
      ),
    },
  });
  if (summary.outcome.pending) {
    if (summary.outcome.progress) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: escape(summary.outcome.progress) }] });
    blocks.push({
      type: "actions",
      block_id: "decision",
      elements: [
        { type: "button", action_id: SLACK_ACTION_IDS.approve, style: "primary", text: { type: "plain_text", text: "Approve" }, value: summary.actionId },
        { type: "button", action_id: SLACK_ACTION_IDS.reject, style: "danger", text: { type: "plain_text", text: "Reject…" }, value: summary.actionId },
        { type: "button", action_id: "warden_open", text: { type: "plain_text", text: "Open in Warden" }, url: summary.consoleUrl },
      ],
    });
  } else {
    const mark = summary.outcome.tone === "approved" ? "✅" : summary.outcome.tone === "rejected" ? "⛔" : "⌛";
    blocks.push({ type: "section", block_id: "outcome", text: { type: "mrkdwn", text: clip(`${mark} *${escape(summary.outcome.text)}*`) } });
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `<${summary.consoleUrl}|Open in Warden>` }] });
  }
  return { text: clip(text, 3000), blocks };
}

/** The modal that asks a rejecting approver for the reason (the agent and memory get it). */
export function rejectReasonView(meta: { actionId: string; channel: string | null; ts: string | null }, action: string): Block {
  return {
    type: "modal",
    callback_id: SLACK_REJECT_VIEW,
    private_metadata: JSON.stringify(meta),
    title: { type: "plain_text", text: "Reject the action" },
    submit: { type: "plain_text", text: "Reject" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: clip(`\`${escape(action)}\``) } },
      {
        type: "input",
        block_id: SLACK_REASON_BLOCK,
        label: { type: "plain_text", text: "Reason (goes back to the agent)" },
        element: { type: "plain_text_input", action_id: SLACK_REASON_INPUT, multiline: true, max_length: 2000 },
      },
    ],
  };
}
