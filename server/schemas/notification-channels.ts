import { z } from "zod";
import { ZToolRisk } from "./enums";

/** A Slack routing rule: the first rule whose given conditions all hold picks the channel. */
export const ZSlackRoute = z.object({
  team: z.string().trim().min(1).max(200).optional(),
  tool: z.string().trim().min(1).max(200).optional(),
  /** This risk and above ("high" takes critical actions too). */
  minRisk: ZToolRisk.optional(),
  channel: z.string().trim().min(1).max(200),
});
export type SlackRoute = z.infer<typeof ZSlackRoute>;

/** Empty secrets keep the stored ones: a secret is typed once and never shown again. */
const optionalSecret = z
  .string()
  .trim()
  .max(500)
  .optional()
  .transform((v) => (v ? v : undefined));

export const ZSaveSlack = z.object({
  enabled: z.boolean().default(true),
  botToken: optionalSecret.refine((v) => v === undefined || v.startsWith("xoxb-"), "a bot token starts with xoxb-"),
  signingSecret: optionalSecret,
  /** A channel id (C…) or name (#approvals) the bot is in; used when no route matches. */
  defaultChannel: z.string().trim().min(1).max(200),
  routes: z.array(ZSlackRoute).max(50).default([]),
  /** Slack's Web API; another only for a Slack-compatible server (and the tests' fake). */
  apiUrl: z.url().default("https://slack.com/api"),
});
export type SaveSlackInput = z.input<typeof ZSaveSlack>;

export const ZSaveEmail = z.object({
  enabled: z.boolean().default(true),
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65535).default(587),
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  username: z
    .string()
    .trim()
    .max(320)
    .optional()
    .transform((v) => (v ? v : undefined)),
  password: optionalSecret,
  from: z.string().trim().min(3).max(320),
  /** Who gets each request; empty: every active approver, operator and admin. */
  to: z.array(z.email()).max(100).default([]),
});
export type SaveEmailInput = z.input<typeof ZSaveEmail>;

export const ZChannelKind = z.enum(["slack", "email"]);
export type ChannelKind = z.infer<typeof ZChannelKind>;
