import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { pgPool } from "../db/pg-pool";
import { parseRateLimit } from "../schemas/tools";

export type RateLimitResult = { allowed: true } | { allowed: false; retryAfterSeconds: number; limit: string };

const holder = globalThis as unknown as { wardenRateLimiters?: Map<string, RateLimiterPostgres> };
const limiters = (holder.wardenRateLimiters ??= new Map());

/**
 * One point of the limit `spec` (such as 10/minute) for `key` within the `name`d limiter,
 * counted by rate-limiter-flexible in PostgreSQL so the limit holds across Warden instances.
 */
export async function consumeRateLimit(name: string, spec: string, key: string): Promise<RateLimitResult> {
  try {
    await limiterFor(name, spec).consume(key);
    return { allowed: true };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)), limit: spec };
    }
    throw rejection;
  }
}

/** Gives back a point consumed for a call that turned out to be one already counted (a repeat). */
export async function refundRateLimit(name: string, spec: string, key: string): Promise<void> {
  await limiterFor(name, spec).reward(key, 1);
}

function limiterFor(name: string, spec: string): RateLimiterPostgres {
  const limiterKey = `${name}|${spec}`;
  let limiter = limiters.get(limiterKey);
  if (!limiter) {
    const { points, seconds } = parseRateLimit(spec);
    limiter = new RateLimiterPostgres({
      storeClient: pgPool(),
      storeType: "pool",
      tableName: "rate_limits",
      tableCreated: true,
      keyPrefix: limiterKey,
      points,
      duration: seconds,
    });
    limiters.set(limiterKey, limiter);
  }
  return limiter;
}
