import { consumeRateLimit, refundRateLimit, type RateLimitResult } from "../lib/rate-limit";

/** Counts one call of `tool` by `agentId` against the tool's limit (per agent and tool). */
export function consumeToolRateLimit(tool: string, spec: string, agentId: string): Promise<RateLimitResult> {
  return consumeRateLimit(`tool:${tool}`, spec, agentId);
}

/** Gives back the point a repeated call (an action found by its externalId) consumed. */
export function refundToolRateLimit(tool: string, spec: string, agentId: string): Promise<void> {
  return refundRateLimit(`tool:${tool}`, spec, agentId);
}
