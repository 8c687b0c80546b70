import type { RequestOrigin, UserActor } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { env } from "../env";
import { AppError } from "../errors";
import { openSecret, sealSecret } from "../lib/secret-box";
import { sealingKey } from "../lib/sealing-key";
import { ZSaveEmail, ZSaveSlack, type ChannelKind, type SaveEmailInput, type SaveSlackInput, type SlackRoute } from "../schemas/notification-channels";

/** What each channel sends from the outbox: Slack also updates its message once decided. */
const CHANNEL_EVENTS: Record<ChannelKind, string[]> = { slack: ["approval.requested", "approval.decided", "approval.voted"], email: ["approval.requested"] };

export type SlackSettings = { defaultChannel: string; routes: SlackRoute[]; apiUrl: string };
export type SlackSecrets = { botToken: string; signingSecret: string };
export type EmailSettings = { host: string; port: number; secure: boolean; username?: string; from: string; to: string[] };
export type EmailSecrets = { password?: string };

export type SlackChannel = { kind: "slack"; enabled: boolean; settings: SlackSettings; secrets: SlackSecrets };
export type EmailChannel = { kind: "email"; enabled: boolean; settings: EmailSettings; secrets: EmailSecrets };

async function currentSecrets<T>(db: DbOrTx, kind: ChannelKind): Promise<Partial<T>> {
  const row = await db.notificationChannel.findUnique({ where: { kind } });
  if (!row) return {};
  try {
    return JSON.parse(openSecret(await sealingKey(db), row.sealedSecrets)) as Partial<T>;
  } catch {
    return {}; // sealed under a key since changed: the admin types the secrets again
  }
}

async function saveChannel(db: DbOrTx, actor: UserActor, kind: ChannelKind, enabled: boolean, settings: object, secrets: object, origin?: RequestOrigin) {
  const sealedSecrets = sealSecret(await sealingKey(db), JSON.stringify(secrets));
  return inTransaction(db, async (tx) => {
    const data = { enabled, events: CHANNEL_EVENTS[kind], settings: settings as Prisma.InputJsonObject, sealedSecrets, updatedBy: actor.label };
    await tx.notificationChannel.upsert({ where: { kind }, create: { kind, ...data }, update: data });
    // The audit row names what changed, never a secret.
    await appendAudit(tx, {
      actor,
      verb: `notifications.${kind}.save`,
      subject: { type: "notification_channel", id: kind },
      data: { enabled, settings: settings as Prisma.InputJsonObject },
      origin,
    });
  });
}

export async function saveSlackConnection(db: DbOrTx, actor: UserActor, raw: SaveSlackInput, origin?: RequestOrigin): Promise<void> {
  const input = ZSaveSlack.parse(raw);
  const previous = await db.notificationChannel.findUnique({ where: { kind: "slack" } });
  // A stored token goes only where it went before: a new API address needs both secrets typed
  // again (an admin could otherwise send the token elsewhere, or pair a known signing secret
  // with the real token and forge approvals as anyone).
  const sameApi = (previous?.settings as SlackSettings | undefined)?.apiUrl === input.apiUrl;
  const stored = sameApi ? await currentSecrets<SlackSecrets>(db, "slack") : {};
  if (input.signingSecret && !input.botToken && stored.botToken) {
    throw new AppError("BAD_REQUEST", "signingSecret: a new signing secret needs the bot token typed again too", {
      details: [{ field: "botToken", message: "type it again with a new signing secret" }],
    });
  }
  const botToken = input.botToken ?? stored.botToken;
  const signingSecret = input.signingSecret ?? stored.signingSecret;
  if (!botToken || !signingSecret) throw new AppError("BAD_REQUEST", "Slack needs its bot token and signing secret (Settings → Notifications)");
  const settings: SlackSettings = { defaultChannel: input.defaultChannel, routes: input.routes, apiUrl: input.apiUrl };
  await saveChannel(db, actor, "slack", input.enabled, settings, { botToken, signingSecret }, origin);
}

export async function saveEmailSettings(db: DbOrTx, actor: UserActor, raw: SaveEmailInput, origin?: RequestOrigin): Promise<void> {
  const input = ZSaveEmail.parse(raw);
  const previous = (await db.notificationChannel.findUnique({ where: { kind: "email" } }))?.settings as EmailSettings | undefined;
  // The stored password goes only to the server it was typed for.
  const sameServer = previous?.host === input.host && previous?.port === input.port;
  const stored = sameServer ? await currentSecrets<EmailSecrets>(db, "email") : {};
  const password = input.password ?? (input.username ? stored.password : undefined);
  const settings: EmailSettings = {
    host: input.host,
    port: input.port,
    secure: input.secure,
    ...(input.username ? { username: input.username } : {}),
    from: input.from,
    to: input.to,
  };
  await saveChannel(db, actor, "email", input.enabled, settings, password ? { password } : {}, origin);
}

export async function removeChannel(db: DbOrTx, actor: UserActor, kind: ChannelKind, origin?: RequestOrigin): Promise<void> {
  await inTransaction(db, async (tx) => {
    await tx.notificationChannel.deleteMany({ where: { kind } });
    await appendAudit(tx, { actor, verb: `notifications.${kind}.remove`, subject: { type: "notification_channel", id: kind }, origin });
  });
}

/** What the settings page shows: everything but the secrets, which only say whether they are set. */
export async function describeChannels(db: DbOrTx) {
  const rows = await db.notificationChannel.findMany();
  const key = rows.length > 0 ? await sealingKey(db) : null;
  const opened = (sealed: string): Record<string, unknown> | null => {
    try {
      return JSON.parse(openSecret(key!, sealed)) as Record<string, unknown>;
    } catch {
      return null;
    }
  };
  const describe = (kind: ChannelKind) => {
    const row = rows.find((r) => r.kind === kind);
    if (!row) return null;
    const secrets = opened(row.sealedSecrets);
    return {
      enabled: row.enabled,
      settings: row.settings as Record<string, unknown>,
      secretsSet: secrets ? Object.keys(secrets) : [],
      // Sealed under another key (WARDEN_SECRETS_KEY or AUTH_SECRET changed): type them again.
      secretsUnreadable: secrets === null,
      updatedAt: row.updatedAt,
      updatedBy: row.updatedBy,
    };
  };
  const recent = await db.webhookDelivery.findMany({
    where: { channel: { in: ["slack", "email"] } },
    orderBy: { createdAt: "desc" },
    take: 20,
    select: { id: true, channel: true, event: true, status: true, attempts: true, lastError: true, createdAt: true, deliveredAt: true },
  });
  return { slack: describe("slack"), email: describe("email"), recentDeliveries: recent };
}

export async function loadSlackChannel(db: DbOrTx): Promise<SlackChannel | null> {
  const row = await db.notificationChannel.findUnique({ where: { kind: "slack" } });
  if (!row) return null;
  const secrets = JSON.parse(openSecret(await sealingKey(db), row.sealedSecrets)) as SlackSecrets;
  return { kind: "slack", enabled: row.enabled, settings: row.settings as SlackSettings, secrets };
}

export async function loadEmailChannel(db: DbOrTx): Promise<EmailChannel | null> {
  const row = await db.notificationChannel.findUnique({ where: { kind: "email" } });
  if (!row) return null;
  const secrets = JSON.parse(openSecret(await sealingKey(db), row.sealedSecrets)) as EmailSecrets;
  return { kind: "email", enabled: row.enabled, settings: row.settings as EmailSettings, secrets };
}

/** Where links in messages point: the console's public address. */
export function consoleBaseUrl(): string {
  return env.WARDEN_PUBLIC_URL ?? `http://localhost:${env.PORT}`;
}
