import { describe, expect, it } from "vitest";
import { inCalendar, inWindow, parseWindow } from "../../server/policy/rule-windows";

describe("weekly windows", () => {
  it.each([
    ["Mon-Fri 09:00-18:00", [1, 2, 3, 4, 5]],
    ["Sat,Sun 00:00-24:00", [0, 6]],
    ["Fri-Mon 10:00-11:00", [0, 1, 5, 6]],
    ["mon,wed-thu 10:00-11:00", [1, 3, 4]],
    ["08:00-17:00", [0, 1, 2, 3, 4, 5, 6]],
  ])("reads %s", (text, days) => {
    expect([...parseWindow(text).days].sort()).toEqual(days);
  });

  it.each([
    ["Mon-Fry 09:00-18:00", /"Fry" is not a day/],
    ["Mon-Fri 9:00-18:00", /is not a window/],
    ["Mon-Fri 09:00-25:00", /"25:00" is not a time/],
    ["Mon-Fri 09:61-18:00", /"09:61" is not a time/],
    ["Mon 09:00-09:00", /starts and ends at the same time/],
    ["Mon-Tue-Wed 09:00-10:00", /not a day or a range of days/],
  ])("refuses %s", (text, message) => {
    expect(() => parseWindow(text)).toThrow(message);
  });

  it("a window across midnight belongs to the day it starts on", () => {
    const friday = parseWindow("Fri 22:00-02:00");
    expect(inWindow(new Date("2026-01-09T22:00:00Z"), friday, "UTC")).toBe(true); // Fri 22:00
    expect(inWindow(new Date("2026-01-10T01:59:00Z"), friday, "UTC")).toBe(true); // Sat 01:59
    expect(inWindow(new Date("2026-01-10T02:00:00Z"), friday, "UTC")).toBe(false); // Sat 02:00
    expect(inWindow(new Date("2026-01-09T01:00:00Z"), friday, "UTC")).toBe(false); // Fri 01:00 (Thursday's night)
    expect(inWindow(new Date("2026-01-10T22:30:00Z"), friday, "UTC")).toBe(false); // Sat 22:30
  });

  it("reads the window in its time zone, daylight saving included", () => {
    const hours = parseWindow("Mon-Fri 09:00-18:00");
    expect(inWindow(new Date("2026-07-07T07:00:00Z"), hours, "Europe/Berlin")).toBe(true); // 09:00 CEST
    expect(inWindow(new Date("2026-01-06T07:00:00Z"), hours, "Europe/Berlin")).toBe(false); // 08:00 CET
    expect(inWindow(new Date("2026-01-06T14:00:00Z"), hours, "America/New_York")).toBe(true); // 09:00 EST
    expect(inWindow(new Date("2026-01-06T13:59:00Z"), hours, "America/New_York")).toBe(false); // 08:59 EST
  });
});

describe("calendars", () => {
  const freeze = { timeZone: "Pacific/Auckland", periods: [{ from: "2026-12-24", to: "2026-12-26" }] };
  it("whole days in the calendar's time zone", () => {
    expect(inCalendar(new Date("2026-12-23T11:00:00Z"), freeze)).toBe(true); // 24 Dec 00:00 NZDT
    expect(inCalendar(new Date("2026-12-23T10:59:00Z"), freeze)).toBe(false);
    expect(inCalendar(new Date("2026-12-26T10:59:00Z"), freeze)).toBe(true); // 26 Dec 23:59
    expect(inCalendar(new Date("2026-12-26T11:00:00Z"), freeze)).toBe(false);
  });
});
