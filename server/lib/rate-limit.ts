import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { pgPool } from "../db/pg-pool";
import { parseRateLimit } from "../schemas/tools";

/**
 * A point counted in one window of one limiter: what a refund gives back, to that window only.
 * `windowEndsAt` is the window's stored end (ms), read back from the counting statement.
 */
export type CountedPoint = { limiter: RateLimiterPostgres; key: string; windowEndsAt: number };

export type RateLimitResult = { allowed: true; point: CountedPoint } | { allowed: false; retryAfterSeconds: number; limit: string };

const holder = globalThis as unknown as { wardenRateLimiters?: Map<string, RateLimiterPostgres> };
const limiters = (holder.wardenRateLimiters ??= new Map());

/**
 * One point of the limit `spec` (such as 10/minute) for `key` within the `name`d limiter,
 * counted by rate-limiter-flexible in PostgreSQL so the limit holds across Warden instances.
 */
export async function consumeRateLimit(name: string, spec: string, key: string): Promise<RateLimitResult> {
  try {
    const limiter = limiterFor(name, spec);
    return { allowed: true, point: countedPoint(limiter, key, await limiter.consume(key)) };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)), limit: spec };
    }
    throw rejection;
  }
}

function countedPoint(limiter: RateLimiterPostgres, key: string, counted: RateLimiterRes): CountedPoint {
  // msBeforeNext is the stored window end less Date.now(), taken in the same tick as this. At 0
  // the window is over (the count was answered late): it is not known which one the point went
  // to, so it is never given back (NaN matches no window).
  return { limiter, key, windowEndsAt: counted.msBeforeNext > 0 ? Date.now() + counted.msBeforeNext : Number.NaN };
}

// How far a window's end read back may be from the stored one: the same tick's clock, well under
// the shortest window (a second), so a refund can never reach the next window.
const SAME_WINDOW_MS = 250;

/**
 * Gives back a point counted for a call that turned out to be one already counted (a repeat, a
 * retry, a write that failed), in the window it was counted in and never below zero. Not the
 * library's reward(): past the window's end that starts the next window at -1, and late refunds
 * would each take one more off it (an agent could bank negative counts to pass its limit).
 */
export async function refundPoint(point: CountedPoint): Promise<void> {
  if (!Number.isFinite(point.windowEndsAt)) return;
  await pgPool().query("UPDATE rate_limits SET points = points - 1 WHERE key = $1 AND points > 0 AND expire BETWEEN $2::bigint - $3 AND $2::bigint + $3", [
    point.limiter.getKey(point.key),
    Math.round(point.windowEndsAt),
    SAME_WINDOW_MS,
  ]);
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
export async function countInWindow(name: string, seconds: number, key: string): Promise<{ count: number; point: CountedPoint }> {
  const limiter = limiterFor(name, `${UNLIMITED}/${seconds}s`, { points: UNLIMITED, seconds });
  const counted = await limiter.consume(key);
  return { count: counted.consumedPoints, point: countedPoint(limiter, key, counted) };
}

/**
 * The limiter named `name` for `spec`, which also names its rows (their key prefix, as written);
 * it counts `limit`, or what `spec` says (`10/minute`) when none is given.
 */
function limiterFor(name: string, spec: string, limit?: { points: number; seconds: number }): RateLimiterPostgres {
  const limiterKey = `${name}|${spec}`;
  let limiter = limiters.get(limiterKey);
  if (!limiter) {
    const { points, seconds } = limit ?? parseRateLimit(spec);
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
