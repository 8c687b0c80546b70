import { RateLimiterPostgres, type RateLimiterRes } from "rate-limiter-flexible";
import { env } from "../env";
import { pgPool } from "../db/pg-pool";

// Failed logins are counted in PostgreSQL so the limits hold across Warden instances. They slow
// the one guessing, never lock the owner out:
// - per email+address: WARDEN_LOGIN_MAX_FAILURES failures lock that pair (a person mistyping,
//   or one address guessing at one account);
// - per address: ten times as many lock the address (one address trying many emails);
// - per email alone: never a lock, which anyone who knows the email could set off for everyone.
//   Past WARDEN_LOGIN_MAX_FAILURES failures from any addresses, an address that has itself
//   failed on the account waits an increasing delay (2 s, 4 s, … up to a minute) after the
//   account's latest failure. An address with no failure on the account (the owner's, say) is
//   never delayed by the others'.
// "Address" is the client address of server/lib/client-ip.ts: X-Forwarded-For counts only from
// WARDEN_TRUSTED_PROXIES, so a guesser cannot pose as a fresh address per guess.
export const MAX_EMAIL_DELAY_SECONDS = 60;

type Limiters = { byAccount: RateLimiterPostgres; byAddress: RateLimiterPostgres; byEmail: RateLimiterPostgres; emailDelay: RateLimiterPostgres };
const holder = globalThis as unknown as { wardenLoginLimiters?: Limiters };

function limiter(keyPrefix: string, points: number, duration = env.WARDEN_LOGIN_LOCK_SECONDS): RateLimiterPostgres {
  return new RateLimiterPostgres({ storeClient: pgPool(), storeType: "pool", tableName: "rate_limits", tableCreated: true, keyPrefix, points, duration });
}

function limiters(): Limiters {
  return (holder.wardenLoginLimiters ??= {
    byAccount: limiter("login-account", env.WARDEN_LOGIN_MAX_FAILURES),
    byAddress: limiter("login-address", env.WARDEN_LOGIN_MAX_FAILURES * 10),
    // Counts only: consume() never refuses below this many.
    byEmail: limiter("login-email-failures", 1_000_000_000),
    // One point: block() sets the wait after each failure past the free ones.
    emailDelay: limiter("login-email-delay", 1, MAX_EMAIL_DELAY_SECONDS),
  });
}

const accountKey = (email: string, ip: string | null) => `${email.toLowerCase()}|${ip ?? "-"}`;
const addressKey = (ip: string | null) => ip ?? "-";
const emailKey = (email: string) => email.toLowerCase();

/** Seconds an address that failed on the account waits after the account's `failures`-th failure. */
export function emailDelaySeconds(failures: number): number {
  const beyond = failures - env.WARDEN_LOGIN_MAX_FAILURES;
  if (beyond <= 0) return 0;
  return Math.min(2 ** beyond, MAX_EMAIL_DELAY_SECONDS);
}

export type LoginThrottle = { seconds: number; limit: "account" | "address" | "email" } | null;

/** Which limit holds this attempt back and for how long, or null when it may proceed. */
export async function loginThrottle(email: string, ip: string | null): Promise<LoginThrottle> {
  const { byAccount, byAddress, emailDelay } = limiters();
  const [account, address, delay] = await Promise.all([byAccount.get(accountKey(email, ip)), byAddress.get(addressKey(ip)), emailDelay.get(emailKey(email))]);
  const held: { res: RateLimiterRes; limit: "account" | "address" | "email" }[] = [];
  if (account && account.consumedPoints >= env.WARDEN_LOGIN_MAX_FAILURES) held.push({ res: account, limit: "account" });
  if (address && address.consumedPoints >= env.WARDEN_LOGIN_MAX_FAILURES * 10) held.push({ res: address, limit: "address" });
  // The account's delay holds back only addresses that have failed on it themselves.
  if (account && account.consumedPoints > 0 && delay && delay.consumedPoints > 1) held.push({ res: delay, limit: "email" });
  const longest = held.sort((a, b) => b.res.msBeforeNext - a.res.msBeforeNext)[0];
  return longest ? { seconds: Math.max(1, Math.ceil(longest.res.msBeforeNext / 1000)), limit: longest.limit } : null;
}

export async function recordLoginFailure(email: string, ip: string | null): Promise<void> {
  const { byAccount, byAddress, byEmail, emailDelay } = limiters();
  // consume() rejects once the points are spent; the counter is still incremented.
  const [, , counted] = await Promise.allSettled([
    byAccount.consume(accountKey(email, ip)),
    byAddress.consume(addressKey(ip)),
    byEmail.consume(emailKey(email)),
  ]);
  const failures = counted.status === "fulfilled" ? counted.value.consumedPoints : 0;
  const delay = emailDelaySeconds(failures);
  if (delay > 0) await emailDelay.block(emailKey(email), delay);
}

/** A successful sign-in clears its own address's failures on the account (not the others'). */
export async function clearLoginFailures(email: string, ip: string | null): Promise<void> {
  await limiters().byAccount.delete(accountKey(email, ip));
}
