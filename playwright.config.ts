import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { browserUse } from "./e2e/support/browser";
import { ADMIN, E2E_PORT, TEST_CLOCK_FILE } from "./e2e/support/constants";

// Every API answer of the run is recorded here (by each server the run starts: they inherit this
// environment) and checked against the OpenAPI document at the end (globalTeardown).
process.env.WARDEN_RECORD_ANSWERS ??= path.join(tmpdir(), `warden-e2e-answers-${process.pid}.jsonl`);

export default defineConfig({
  testDir: "e2e",
  // The default path (a fresh copy on the embedded database) has a config of its own.
  testIgnore: "default-path/**",
  globalTeardown: "./e2e/support/check-api-answers.ts",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: browserUse(`http://127.0.0.1:${E2E_PORT}`),
  webServer: {
    command: "npx tsx e2e/support/serve.ts",
    url: `http://127.0.0.1:${E2E_PORT}/api/health`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      PORT: String(E2E_PORT),
      WARDEN_ADMIN_EMAIL: ADMIN.email,
      WARDEN_ADMIN_PASSWORD: ADMIN.password,
      WARDEN_TEST_CLOCK_FILE: TEST_CLOCK_FILE,
      // The harness's marker: without it a server ignores WARDEN_TEST_CLOCK_FILE (policy/decision-clock.ts).
      WARDEN_TEST_MODE: "1",
    },
  },
});
