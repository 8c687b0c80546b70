import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { decisionTime, resetClockWarning, testClockFile } from "../../server/policy/decision-clock";

/*
 * The rules' test clock: a file the e2e harness writes a time into. A production Warden (the e2e
 * server runs with NODE_ENV=production too) must not read it: only WARDEN_TEST_MODE=1, which the
 * harness alone sets, lets it. Without the marker the file is ignored, with one warning line.
 */
describe("the rules' test clock", () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "warden-clock-")), "clock.txt");
  writeFileSync(file, "2026-12-01T13:00:00Z");
  afterEach(() => {
    resetClockWarning();
    vi.restoreAllMocks();
  });

  it("is ignored without WARDEN_TEST_MODE=1, with one warning", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    for (const mode of [undefined, "0"] as const) {
      const before = Date.now();
      const now = decisionTime({ WARDEN_TEST_CLOCK_FILE: file, WARDEN_TEST_MODE: mode });
      expect(now.getTime()).toBeGreaterThanOrEqual(before);
      expect(decisionTime({ WARDEN_TEST_CLOCK_FILE: file, WARDEN_TEST_MODE: mode }).toISOString()).not.toBe("2026-12-01T13:00:00.000Z");
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/without WARDEN_TEST_MODE=1: ignored/);
  });

  it("is read with WARDEN_TEST_MODE=1 (the e2e harness)", () => {
    const warn = vi.fn();
    expect(testClockFile({ WARDEN_TEST_CLOCK_FILE: file, WARDEN_TEST_MODE: "1" }, warn)).toBe(file);
    expect(warn).toHaveBeenCalledTimes(1);
    vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(decisionTime({ WARDEN_TEST_CLOCK_FILE: file, WARDEN_TEST_MODE: "1" }).toISOString()).toBe("2026-12-01T13:00:00.000Z");
  });

  it("is the real time when no file is set, without a warning", () => {
    const warn = vi.fn();
    expect(testClockFile({ WARDEN_TEST_MODE: "1" }, warn)).toBeNull();
    expect(warn).not.toHaveBeenCalled();
  });
});
