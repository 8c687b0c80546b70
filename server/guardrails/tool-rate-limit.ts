import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { pgPool } from "../db/pg-pool";

const UNIT_SECONDS = { second: 1, minute: 60, hour: 3600, day: 86400 } as const;

export function parseRateLimit(spec: string): { points: number; seconds: number } {
  const [count, unit] = spec.split("/") as [string, keyof typeof UNIT_SECONDS];
  return { points: Number(count), seconds: UNIT_SECONDS[unit] };
}

const holder = globalThis as unknown as { wardenToolLimiters?: Map<string, RateLimiterPostgres> };
const limiters = (holder.wardenToolLimiters ??= new Map());

/**
 * Counts one call of `tool` by `agentId` against the tool's limit (such as 10/minute), in
 * PostgreSQL so the limit holds across Warden instances.
 */
export async function consumeToolRateLimit(
  tool: string,
  spec: string,
  agentId: string,
): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number; limit: string }> {
  const key = `${tool}|${spec}`;
  let limiter = limiters.get(key);
  if (!limiter) {
    const { points, seconds } = parseRateLimit(spec);
    limiter = new RateLimiterPostgres({
      storeClient: pgPool(),
      storeType: "pool",
      tableName: "rate_limits",
      tableCreated: true,
      keyPrefix: `tool:${key}`,
      points,
      duration: seconds,
    });
    limiters.set(key, limiter);
  }
  try {
    await limiter.consume(agentId);
    return { allowed: true };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)), limit: spec };
    }
    throw rejection;
  }
}
