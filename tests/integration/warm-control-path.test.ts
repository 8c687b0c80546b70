import { describe, expect, it } from "vitest";
import { warmControlPath } from "@/server/control/warm-control-path";
import { subscribe, type WardenEvent } from "@/server/events/bus";
import { db } from "../support/fixtures";

describe("warming the kill switch's path at start", () => {
  it("runs a suspend and leaves no trace: no scope, no control event, no audit row, no announcement", async () => {
    // Other test files write control rows meanwhile: only the warm-up's own would say "warm-up".
    const counts = async () => ({
      scopes: await db.controlScope.count({ where: { reason: "warm-up" } }),
      events: await db.controlEvent.count({ where: { reason: "warm-up" } }),
      audit: (await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM audit_log WHERE verb = 'control.suspend' AND data->>'reason' = 'warm-up'`)[0]!
        .n,
    });
    const before = { scopes: 0, events: 0, audit: 0 };
    const heard: WardenEvent[] = [];
    const unsubscribe = subscribe((event) => heard.push(event));
    try {
      await warmControlPath(db);
      await warmControlPath(db);
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      unsubscribe();
    }
    expect(await counts()).toEqual(before);
    expect(heard.filter((e) => e.type === "control.changed" && e.reason === "warm-up")).toEqual([]);
  });
});
