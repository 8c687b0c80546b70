import { readFileSync } from "node:fs";
import { env } from "../env";

/**
 * The time policy rules see as `now`. It is the real time, except under the end-to-end tests,
 * whose server is started with WARDEN_TEST_CLOCK_FILE: a test writes an ISO time into that file
 * to decide "2pm on a Tuesday" without waiting for one. A file that is missing, empty or not a
 * time means the real time. Nothing else reads this clock: audit rows, expiries and rate limits
 * keep the real one.
 */
let warned = false;

export function decisionTime(): Date {
  const file = env.WARDEN_TEST_CLOCK_FILE;
  if (!file) return new Date();
  if (!warned) {
    warned = true;
    // Said once, loudly: a production server must never run with a clock a file can set.
    console.warn(`warden: WARDEN_TEST_CLOCK_FILE is set (${file}): policy rules read their time from that file. For tests only.`);
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch {
    return new Date();
  }
  const at = new Date(text);
  return text && !Number.isNaN(at.getTime()) ? at : new Date();
}
