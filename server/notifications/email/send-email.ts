import nodemailer from "nodemailer";
import type { DbOrTx } from "../../db/client";
import { loadApprovalSummary } from "../approval-for-message";
import { loadEmailChannel, type EmailChannel } from "../channels";
import { actionIdOf, type ChannelDelivery } from "../channel-delivery";
import { approvalEmail } from "./approval-email";

const TIMEOUT_MS = 15_000;

/** The configured recipients, else every active person whose role can decide approvals. */
async function recipients(db: DbOrTx, email: EmailChannel): Promise<string[]> {
  if (email.settings.to.length > 0) return email.settings.to;
  const people = await db.user.findMany({
    where: { active: true, role: { in: ["approver", "operator", "admin"] } },
    select: { email: true },
    orderBy: { email: "asc" },
  });
  return people.map((p) => p.email);
}

export function smtpTransport(email: EmailChannel) {
  const { host, port, secure, username } = email.settings;
  // Without implicit TLS, STARTTLS is required (a stripped STARTTLS would otherwise send the
  // password in clear), except to a server on this machine.
  const loopback = host === "localhost" || host === "::1" || host.startsWith("127.");
  return nodemailer.createTransport({
    host,
    port,
    secure,
    requireTLS: !secure && !loopback,
    ...(username ? { auth: { user: username, pass: email.secrets.password ?? "" } } : {}),
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
}

/**
 * One outbox row for email: a message per approval request, to the recipients, with a link that
 * opens it in the console. A request already decided when its turn comes is not mailed (nobody
 * needs to act on it). Throws to have the outbox retry (SMTP down).
 */
export async function sendEmailDelivery(db: DbOrTx, delivery: ChannelDelivery): Promise<void> {
  if (delivery.event !== "approval.requested") return;
  const email = await loadEmailChannel(db);
  if (!email || !email.enabled) throw new Error("Email is not set up (Settings → Notifications)");
  const actionId = actionIdOf(delivery.payload);
  if (!actionId) return;
  const summary = await loadApprovalSummary(db, actionId);
  if (!summary || !summary.outcome.pending) return;
  const to = await recipients(db, email);
  if (to.length === 0) throw new Error("No one to email: set recipients, or give someone the approver role");
  const message = approvalEmail(summary);
  const transport = smtpTransport(email);
  try {
    await transport.sendMail({ from: email.settings.from, to, ...message, headers: { "X-Warden-Action": actionId, "X-Warden-Delivery": delivery.id } });
  } finally {
    transport.close();
  }
}
