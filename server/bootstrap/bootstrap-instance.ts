import { randomBytes } from "node:crypto";
import { SYSTEM } from "../auth/actor";
import { generatePassword } from "../auth/passwords";
import { db } from "../db/client";
import { env } from "../env";
import { createUser } from "../users/create-user";
import { ADVISORY_LOCKS } from "../db/advisory-locks";

export const DEFAULT_ADMIN_EMAIL = "admin@warden.local";

export type BootstrapResult = {
  authSecret: string;
  createdAdmin: { email: string; password: string; generated: boolean } | null;
};

/**
 * First-start work, safe to run from several instances at once (one advisory lock): the
 * session signing secret every instance shares, and an admin when there are no users yet.
 */
export async function bootstrapInstance(): Promise<BootstrapResult> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.bootstrap})`;
    let secret = await tx.instanceSetting.findUnique({ where: { key: "auth_secret" } });
    secret ??= await tx.instanceSetting.create({ data: { key: "auth_secret", value: randomBytes(32).toString("base64url") } });

    let createdAdmin: BootstrapResult["createdAdmin"] = null;
    if ((await tx.user.count()) === 0) {
      const email = env.WARDEN_ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL;
      const password = env.WARDEN_ADMIN_PASSWORD ?? generatePassword();
      await createUser(tx, SYSTEM, { email, role: "admin", name: "Administrator", password });
      createdAdmin = { email, password, generated: !env.WARDEN_ADMIN_PASSWORD };
    }
    return { authSecret: env.AUTH_SECRET ?? secret.value, createdAdmin };
  });
}
