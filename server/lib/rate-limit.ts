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

/** A count with no limit: no call is refused, each is counted in its own window's total. */
const UNLIMITED = 2_000_000_000;

/**
 * Counts one more call for `key` in the `name`d counter and returns the calls counted in the
 * current window (this one included): the same atomic upsert as the limits above (one row per
 * key, incremented in one statement), so concurrent calls each get a different count, never the
 * same one. The window is fixed: it starts at the first call after the previous one ended and
 * lasts `seconds`.
 */
export async function countInWindow(name: string, seconds: number, key: string): Promise<number> {
  const counted = await limiterFor(name, `${UNLIMITED}/${seconds}s`).consume(key);
  return counted.consumedPoints;
}

/** Takes back a call counted by countInWindow that turned out not to be one (a repeat, a retry). */
export async function uncountInWindow(name: string, seconds: number, key: string): Promise<void> {
  await limiterFor(name, `${UNLIMITED}/${seconds}s`).reward(key, 1);
}

function limiterFor(name: string, spec: string): RateLimiterPostgres {
  const limiterKey = `${name}|${spec}`;
  let limiter = limiters.get(limiterKey);
  if (!limiter) {
    const counter = /^(\d+)\/(\d+)s$/.exec(spec);
    const { points, seconds: duration } = counter ? { points: Number(counter[1]), seconds: Number(counter[2]) } : parseRateLimit(spec);
    limiter = new RateLimiterPostgres({
      storeClient: pgPool(),
      storeType: "pool",
      tableName: "rate_limits",
      tableCreated: true,
      keyPrefix: limiterKey,
      points,
      duration,
    });
    limiters.set(limiterKey, limiter);
  }
  return limiter;
}
