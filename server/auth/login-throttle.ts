import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { env } from "../env";
import { pgPool } from "../db/pg-pool";

// Failed logins are counted in PostgreSQL so the limit holds across Warden instances.
// Per email+address: a person mistyping is locked out briefly; per address: a script trying
// many emails is slowed as a whole; per email alone (a higher limit): a script that forges a new
// X-Forwarded-For for every guess at one account is stopped all the same.
type Limiters = { byAccount: RateLimiterPostgres; byAddress: RateLimiterPostgres; byEmail: RateLimiterPostgres };
const holder = globalThis as unknown as { wardenLoginLimiters?: Limiters };

function limiter(keyPrefix: string, points: number): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: pgPool(),
    storeType: "pool",
    tableName: "rate_limits",
    tableCreated: true,
    keyPrefix,
    points,
    duration: env.WARDEN_LOGIN_LOCK_SECONDS,
  });
}

function limiters(): Limiters {
  return (holder.wardenLoginLimiters ??= {
    byAccount: limiter("login-account", env.WARDEN_LOGIN_MAX_FAILURES),
    byAddress: limiter("login-address", env.WARDEN_LOGIN_MAX_FAILURES * 10),
    byEmail: limiter("login-email", env.WARDEN_LOGIN_MAX_FAILURES * 4),
  });
}

const accountKey = (email: string, ip: string | null) => `${email.toLowerCase()}|${ip ?? "-"}`;
const addressKey = (ip: string | null) => ip ?? "-";

/** Seconds until another attempt is allowed, or 0 when this one may proceed. */
export async function loginLockedForSeconds(email: string, ip: string | null): Promise<number> {
  const { byAccount, byAddress, byEmail } = limiters();
  const [account, address, anyAddress] = await Promise.all([
    byAccount.get(accountKey(email, ip)),
    byAddress.get(addressKey(ip)),
    byEmail.get(email.toLowerCase()),
  ]);
  const blocked = [
    account && account.consumedPoints >= env.WARDEN_LOGIN_MAX_FAILURES ? account : null,
    address && address.consumedPoints >= env.WARDEN_LOGIN_MAX_FAILURES * 10 ? address : null,
    anyAddress && anyAddress.consumedPoints >= env.WARDEN_LOGIN_MAX_FAILURES * 4 ? anyAddress : null,
  ].filter((r): r is RateLimiterRes => r !== null);
  if (blocked.length === 0) return 0;
  return Math.ceil(Math.max(...blocked.map((r) => r.msBeforeNext)) / 1000);
}

export async function recordLoginFailure(email: string, ip: string | null): Promise<void> {
  const { byAccount, byAddress, byEmail } = limiters();
  // consume() rejects once the points are spent; the counter is still incremented.
  await Promise.allSettled([byAccount.consume(accountKey(email, ip)), byAddress.consume(addressKey(ip)), byEmail.consume(email.toLowerCase())]);
}

export async function clearLoginFailures(email: string, ip: string | null): Promise<void> {
  await limiters().byAccount.delete(accountKey(email, ip));
}
