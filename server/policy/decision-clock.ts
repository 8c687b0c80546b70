import { readFileSync } from "node:fs";
import { env } from "../env";

/**
 * The time policy rules see as `now`. It is the real time, except under the end-to-end tests,
 * whose server is started with WARDEN_TEST_CLOCK_FILE and WARDEN_TEST_MODE=1: a test writes an
 * ISO time into that file to decide "2pm on a Tuesday" without waiting for one. A file that is
 * missing, empty or not a time means the real time. Nothing else reads this clock: audit rows,
 * expiries and rate limits keep the real one.
 *
 * The clock file alone is not enough: a production Warden that finds it set (a copied
 * environment, a hostile one) ignores it and says so once. The e2e server runs with
 * NODE_ENV=production, so only the harness's own marker, WARDEN_TEST_MODE=1, tells a test run.
 */
type ClockSettings = { WARDEN_TEST_CLOCK_FILE?: string; WARDEN_TEST_MODE?: "0" | "1" };

let warned = false;

/** The clock file to read, or null for the real time; warns once either way when a file is set. */
export function testClockFile(settings: ClockSettings = env, warn: (message: string) => void = console.warn): string | null {
  const file = settings.WARDEN_TEST_CLOCK_FILE;
  if (!file) return null;
  const honoured = settings.WARDEN_TEST_MODE === "1";
  if (!warned) {
    warned = true;
    warn(
      honoured
        ? `warden: WARDEN_TEST_CLOCK_FILE is set (${file}) with WARDEN_TEST_MODE=1: policy rules read their time from that file. For tests only.`
        : `warden: WARDEN_TEST_CLOCK_FILE is set (${file}) without WARDEN_TEST_MODE=1: ignored, policy rules read the real time.`,
    );
  }
  return honoured ? file : null;
}

/** For tests of the warning: the next call warns again. */
export function resetClockWarning(): void {
  warned = false;
}

export function decisionTime(settings: ClockSettings = env): Date {
  const file = testClockFile(settings);
  if (!file) return new Date();
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch {
    return new Date();
  }
  const at = new Date(text);
  return text && !Number.isNaN(at.getTime()) ? at : new Date();
}
