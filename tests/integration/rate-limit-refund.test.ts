import { describe, expect, it } from "vitest";
import { consumeRateLimit, countInWindow, refundPoint } from "../../server/lib/rate-limit";
import { unique } from "../support/fixtures";

/*
 * A refund (a repeat, a retry, a write that failed) gives a point back to the window it was
 * counted in, and only there. The library's reward() past a window's end starts the next window
 * at -1: late refunds each took one more off it, and an agent could bank negative counts to pass
 * a rule's "more than 20 a minute" or a tool's 10/minute (an attacker's review found it).
 */
describe("refunding a counted point", () => {
  it("in its own window, takes the point back", async () => {
    const key = unique("agent");
    await countInWindow("test:refund", 60, key);
    const second = await countInWindow("test:refund", 60, key);
    expect(second.count).toBe(2);
    await refundPoint(second.point);
    expect((await countInWindow("test:refund", 60, key)).count).toBe(2);
  });

  it("after its window ended, changes nothing: the next window is not lowered, however many late refunds land", async () => {
    const key = unique("agent");
    const points = [];
    for (let i = 0; i < 5; i++) points.push((await countInWindow("test:refund-late", 1, key)).point);
    await new Promise((r) => setTimeout(r, 1_100));
    // The late refunds land first, then in the next window before and after its first count.
    await Promise.all(points.slice(0, 3).map(refundPoint));
    const first = await countInWindow("test:refund-late", 1, key);
    expect(first.count).toBe(1);
    await Promise.all(points.slice(3).map(refundPoint));
    expect((await countInWindow("test:refund-late", 1, key)).count).toBe(2);
  });

  it("never below zero, and a tool's limit still refuses the call past it", async () => {
    const key = unique("agent");
    const first = await consumeRateLimit("test:tool", "2/minute", key);
    expect(first.allowed).toBe(true);
    if (!first.allowed) return;
    await refundPoint(first.point);
    await refundPoint(first.point);
    await refundPoint(first.point);
    expect((await consumeRateLimit("test:tool", "2/minute", key)).allowed).toBe(true);
    expect((await consumeRateLimit("test:tool", "2/minute", key)).allowed).toBe(true);
    expect((await consumeRateLimit("test:tool", "2/minute", key)).allowed).toBe(false);
  });
});
