import { describe, expect, it } from "vitest";
import { spendStanding } from "../../components/settings/spend-bar";
import { periodName, periodStarts } from "../../server/cost/periods";
import { formatUsd } from "../../server/schemas/cost";

describe("money and periods as the console and the alerts show them", () => {
  it("formats dollars with cents, and amounts under a cent with four places", () => {
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(12.5)).toBe("$12.50");
    expect(formatUsd(1234.567)).toBe("$1,234.57");
    expect(formatUsd(0.6)).toBe("$0.60");
    expect(formatUsd(0.0042)).toBe("$0.0042");
  });

  it("places an instant in its UTC day and month, whatever the local zone", () => {
    expect(periodStarts(new Date("2026-11-30T23:59:59.999Z"))).toEqual({ day: "2026-11-30", month: "2026-11-01" });
    expect(periodStarts(new Date("2026-12-01T00:00:00.000Z"))).toEqual({ day: "2026-12-01", month: "2026-12-01" });
    expect(periodName("day", "2026-11-24")).toBe("2026-11-24");
    expect(periodName("month", "2026-11-01")).toBe("2026-11");
  });

  it("tones the spend bar: warning from 80%, over from 100%, the fill capped", () => {
    expect(spendStanding(7.99, 10)).toMatchObject({ tone: "ok" });
    expect(spendStanding(8, 10)).toMatchObject({ tone: "warning", filled: 80 });
    expect(spendStanding(10, 10)).toMatchObject({ tone: "over", filled: 100 });
    expect(spendStanding(25, 10)).toEqual({ percent: 250, filled: 100, tone: "over" });
  });
});
