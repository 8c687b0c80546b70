import { parseRateLimit } from "../../server/schemas/tools";

/**
 * A tool's declared rate limit (`10/minute`), counted in this process over a sliding window.
 * Warden enforces its own registry's limit too; this one stops a runaway loop before it
 * reaches the network, so the agent cannot hammer Warden with proposals that will be denied.
 */
export class LocalRateLimit {
  private readonly points: number;
  private readonly windowMs: number;
  private readonly calls: number[] = [];

  constructor(readonly spec: string) {
    const { points, seconds } = parseRateLimit(spec);
    this.points = points;
    this.windowMs = seconds * 1000;
  }

  /** Counts one call; returns null when allowed, else the seconds until one is. */
  take(now = Date.now()): number | null {
    while (this.calls.length > 0 && this.calls[0]! <= now - this.windowMs) this.calls.shift();
    if (this.calls.length >= this.points) return Math.max(1, Math.ceil((this.calls[0]! + this.windowMs - now) / 1000));
    this.calls.push(now);
    return null;
  }
}
