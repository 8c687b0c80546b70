import { consumeRateLimit, type RateLimitResult } from "../lib/rate-limit";

/** Counts one call of `tool` by `agentId` against the tool's limit (per agent and tool); refundPoint gives it back. */
export function consumeToolRateLimit(tool: string, spec: string, agentId: string): Promise<RateLimitResult> {
  return consumeRateLimit(`tool:${tool}`, spec, agentId);
}
