import { randomBytes } from "node:crypto";
import type { DbOrTx } from "../db/client";
import { env } from "../env";
import { deriveSealingKey } from "./secret-box";

/**
 * The key that seals settings secrets (notification channels, upstream MCP servers' env and
 * headers): from WARDEN_SECRETS_KEY when set (kept outside the database, the stronger choice),
 * else from the session-signing secret the instance already shares among its processes
 * (AUTH_SECRET, or the one bootstrap stored on first start).
 */
export async function sealingKey(db: DbOrTx): Promise<Buffer> {
  const material = env.WARDEN_SECRETS_KEY ?? env.AUTH_SECRET ?? (await storedAuthSecret(db));
  return deriveSealingKey(material);
}

async function storedAuthSecret(db: DbOrTx): Promise<string> {
  const existing = await db.instanceSetting.findUnique({ where: { key: "auth_secret" } });
  if (existing) return existing.value;
  // A database bootstrap never ran on (tests): make the one it would have made.
  await db.$executeRaw`INSERT INTO instance_settings (key, value) VALUES ('auth_secret', ${randomBytes(32).toString("base64url")}) ON CONFLICT (key) DO NOTHING`;
  return (await db.instanceSetting.findUniqueOrThrow({ where: { key: "auth_secret" } })).value;
}
