import type { UserActor } from "../../auth/actor";
import { roleAtLeast } from "../../auth/roles";
import { decideApproval } from "../../approvals/decide-approval";
import type { DbOrTx } from "../../db/client";
import { AppError } from "../../errors";
import { loadApprovalSummary } from "../approval-for-message";
import { loadSlackChannel, type SlackChannel } from "../channels";
import { approvalBlocks, rejectReasonView, SLACK_ACTION_IDS, SLACK_REASON_BLOCK, SLACK_REASON_INPUT, SLACK_REJECT_VIEW } from "./approval-blocks";
import { callSlack, respondToSlack, SlackApiError } from "./slack-api";
import { slackRequestProblem } from "./slack-signature";

/** What the route handler answers Slack: a status and, for a modal, a JSON body. */
export type SlackAnswer = { status: number; json?: unknown };

type SlackUser = { id: string };
type BlockActionsPayload = {
  type: "block_actions";
  user: SlackUser;
  trigger_id: string;
  response_url?: string;
  channel?: { id: string };
  message?: { ts: string };
  actions: { action_id: string; value?: string }[];
};
type ViewSubmissionPayload = {
  type: "view_submission";
  user: SlackUser;
  view: { callback_id: string; private_metadata: string; state: { values: Record<string, Record<string, { value?: string | null }>> } };
};

/**
 * Slack's interaction request (a button in an approval message, or the reject modal's submit).
 * Slack's signature is the authentication: the request is refused unless it verifies with the
 * signing secret within five minutes. The Slack user is then mapped to a Warden user by email
 * (users.info); only an active user whose role reaches approver may decide, and the decision goes
 * through decideApproval, as the console's does: quorum, ownership, races and audit apply.
 */
export async function handleSlackInteraction(
  db: DbOrTx,
  request: { body: string; timestamp: string | null; signature: string | null; ip?: string | null },
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<SlackAnswer> {
  const slack = await loadSlackChannel(db);
  if (!slack || !slack.enabled) return { status: 404, json: { error: "Slack is not connected to this Warden" } };
  const problem = slackRequestProblem({
    signingSecret: slack.secrets.signingSecret,
    timestamp: request.timestamp,
    signature: request.signature,
    body: request.body,
    nowSeconds,
  });
  if (problem) return { status: 401, json: { error: problem } };

  let payload: BlockActionsPayload | ViewSubmissionPayload | { type: string };
  try {
    payload = JSON.parse(new URLSearchParams(request.body).get("payload") ?? "") as typeof payload;
  } catch {
    return { status: 400, json: { error: "the body has no JSON payload" } };
  }
  const origin = { ip: request.ip ?? null };
  if (payload.type === "block_actions") return onButton(db, slack, payload as BlockActionsPayload, origin);
  if (payload.type === "view_submission" && (payload as ViewSubmissionPayload).view.callback_id === SLACK_REJECT_VIEW) {
    return onRejectSubmitted(db, slack, payload as ViewSubmissionPayload, origin);
  }
  return { status: 200 };
}

type SlackUserInfo = {
  deleted?: boolean;
  is_bot?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  is_stranger?: boolean;
  is_email_confirmed?: boolean;
  profile?: { email?: string };
};

/** The Warden user behind a Slack user, by the email on their Slack profile; or why they may not decide. */
async function approverFor(db: DbOrTx, slack: SlackChannel, slackUserId: string): Promise<UserActor | { refused: string }> {
  let email: string | undefined;
  try {
    const info = await callSlack<{ user?: SlackUserInfo }>(slack.settings.apiUrl, slack.secrets.botToken, "users.info", { user: slackUserId });
    const member = info.user;
    // Only a full, confirmed member of this workspace speaks for a Warden user: a guest, a
    // member of another organisation (Slack Connect), a bot or a removed account is not, and
    // an unconfirmed email proves nothing.
    if (!member || member.deleted || member.is_bot || member.is_restricted || member.is_ultra_restricted || member.is_stranger) {
      return { refused: "Only full members of this Slack workspace can decide Warden approvals here; decide in the console." };
    }
    if (member.is_email_confirmed !== true) return { refused: "Your Slack email is not confirmed, so Warden cannot tell who you are; decide in the console." };
    email = member.profile?.email;
  } catch (error) {
    return { refused: `Warden could not look you up in Slack (${error instanceof SlackApiError ? error.code : "no answer"}); decide in the console.` };
  }
  if (!email)
    return { refused: "Warden cannot see the email on your Slack profile (the app needs the users:read.email scope), so it cannot tell who you are." };
  // An exact match (Prisma's case-insensitive equals is an ILIKE, where _ and % match other
  // addresses); more than one match decides nothing.
  const matches = await db.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE lower(email) = lower(${email}) LIMIT 2`;
  if (matches.length > 1) return { refused: `More than one Warden user has the email ${email}: decide in the console.` };
  const user = matches[0] ? await db.user.findUnique({ where: { id: matches[0].id } }) : null;
  if (!user || !user.active) return { refused: `${email} is not a Warden user: ask an admin to add you, or decide in the console.` };
  if (!user.role || !roleAtLeast(user.role, "approver"))
    return { refused: `${email} is a Warden ${user.role ?? "user without a role"}: deciding approvals needs the approver role.` };
  return { type: "user", id: user.id, label: user.email, role: user.role };
}

async function onButton(db: DbOrTx, slack: SlackChannel, payload: BlockActionsPayload, origin: { ip: string | null }): Promise<SlackAnswer> {
  const button = payload.actions.find((a) => a.action_id === SLACK_ACTION_IDS.approve || a.action_id === SLACK_ACTION_IDS.reject);
  if (!button?.value) return { status: 200 }; // "Open in Warden" is a link: nothing to do
  const tell = (text: string) =>
    payload.response_url ? respondToSlack(payload.response_url, { response_type: "ephemeral", replace_original: false, text }) : Promise.resolve();
  const approver = await approverFor(db, slack, payload.user.id);
  if ("refused" in approver) {
    await tell(approver.refused);
    return { status: 200 };
  }
  const actionId = button.value;
  if (button.action_id === SLACK_ACTION_IDS.reject) {
    // The reason is asked in a modal; the trigger is valid for three seconds, so open it now.
    const summary = await loadApprovalSummary(db, actionId);
    if (!summary) return { status: 200 };
    await callSlack(slack.settings.apiUrl, slack.secrets.botToken, "views.open", {
      trigger_id: payload.trigger_id,
      view: rejectReasonView({ actionId, channel: payload.channel?.id ?? null, ts: payload.message?.ts ?? null }, summary.action),
    });
    return { status: 200 };
  }
  // Args an earlier voter edited were never shown in this message: approving them takes the console.
  const current = await loadApprovalSummary(db, actionId);
  if (current?.argsEdited) {
    await tell("The args were edited by an earlier approver since this message was posted: review them and decide in the console.");
    return { status: 200 };
  }
  try {
    await decideApproval(db, approver, actionId, { verdict: "approve", comment: "approved in Slack" }, origin);
  } catch (error) {
    await tell(`Not approved: ${messageOf(error)}`);
  }
  // The message shows where the request stands now (decided, or the votes a quorum still needs).
  await refreshMessage(db, slack, actionId, payload.channel?.id ?? null, payload.message?.ts ?? null);
  return { status: 200 };
}

async function onRejectSubmitted(db: DbOrTx, slack: SlackChannel, payload: ViewSubmissionPayload, origin: { ip: string | null }): Promise<SlackAnswer> {
  const meta = JSON.parse(payload.view.private_metadata) as { actionId: string; channel: string | null; ts: string | null };
  const reason = payload.view.state.values[SLACK_REASON_BLOCK]?.[SLACK_REASON_INPUT]?.value?.trim() ?? "";
  const fieldError = (text: string): SlackAnswer => ({
    status: 200,
    json: { response_action: "errors", errors: { [SLACK_REASON_BLOCK]: text.slice(0, 150) } },
  });
  if (!reason) return fieldError("A rejection needs a reason: it goes back to the agent.");
  const approver = await approverFor(db, slack, payload.user.id);
  if ("refused" in approver) return fieldError(approver.refused);
  try {
    await decideApproval(db, approver, meta.actionId, { verdict: "reject", reason }, origin);
  } catch (error) {
    return fieldError(`Not rejected: ${messageOf(error)}`);
  }
  await refreshMessage(db, slack, meta.actionId, meta.channel, meta.ts);
  return { status: 200, json: { response_action: "clear" } };
}

/**
 * Updates the message at once, for the person who clicked; the outbox's approval.decided
 * delivery updates it as well (the same content), which is what covers decisions made elsewhere.
 */
async function refreshMessage(db: DbOrTx, slack: SlackChannel, actionId: string, channel: string | null, ts: string | null): Promise<void> {
  const summary = await loadApprovalSummary(db, actionId);
  const where = channel && ts ? { channel, ts } : await db.slackMessage.findUnique({ where: { actionId } });
  if (!summary || !where) return;
  try {
    await callSlack(slack.settings.apiUrl, slack.secrets.botToken, "chat.update", { channel: where.channel, ts: where.ts, ...approvalBlocks(summary) });
  } catch (error) {
    console.error("[slack] chat.update after an interaction failed; the outbox will update the message", error);
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AppError) return error.message;
  console.error("[slack] deciding from Slack failed", error);
  return "Warden could not record the decision; try again, or decide in the console.";
}
