import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runPaced } from "../../server/lib/paced-timer";

/** A task whose passes take the given (fake) times, recording when each starts. */
function passesTaking(durations: number[]) {
  const starts: number[] = [];
  const task = () => {
    starts.push(Date.now());
    const takes = durations[starts.length - 1] ?? 10;
    return new Promise<void>((resolve) => setTimeout(resolve, takes));
  };
  return { starts, task };
}

describe("runPaced", () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it("runs short passes on the interval, never two at once", async () => {
    const { starts, task } = passesTaking([10, 10, 4_000, 10]);
    const stop = runPaced(1_000, task, { onError: () => undefined });
    await vi.advanceTimersByTimeAsync(7_100);
    stop();
    // 1 s, 2 s, 3 s (takes 4 s: nothing starts beside it), then at once when it ends.
    expect(starts.slice(0, 3)).toEqual([1_000, 2_000, 3_000]);
    expect(starts[3]).toBeGreaterThanOrEqual(7_000);
    expect(starts[3]).toBeLessThan(7_010);
  });

  it("with maxShare, waits in proportion after a long pass: the task takes at most that share of the time", async () => {
    const { starts, task } = passesTaking([2_000, 2_000, 10, 10]);
    const stop = runPaced(1_000, task, { maxShare: 0.2, onError: () => undefined });
    await vi.advanceTimersByTimeAsync(30_000);
    stop();
    // A 2 s pass is followed by 8 s of rest; short passes keep the interval.
    expect(starts.slice(0, 4)).toEqual([1_000, 11_000, 21_000, 22_000]);
    const busy = 2_000 + 2_000;
    expect(busy / (starts[2]! - starts[0]!)).toBeLessThanOrEqual(0.2);
  });

  it("goes on after a failed pass, reporting it", async () => {
    const errors: unknown[] = [];
    let n = 0;
    const stop = runPaced(
      500,
      async () => {
        n++;
        if (n === 1) throw new Error("boom");
      },
      { onError: (error) => errors.push(error) },
    );
    await vi.advanceTimersByTimeAsync(1_600);
    stop();
    expect(errors).toHaveLength(1);
    expect(n).toBe(3);
  });

  it("stops: no pass starts after stop()", async () => {
    const { starts, task } = passesTaking([]);
    const stop = runPaced(100, task, { onError: () => undefined });
    await vi.advanceTimersByTimeAsync(250);
    stop();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(starts).toEqual([100, 200]);
  });
});
