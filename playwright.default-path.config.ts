import { defineConfig } from "@playwright/test";
import { browserUse } from "./e2e/support/browser";
import { DEFAULT_PATH_PORT } from "./e2e/support/constants";

/**
 * The README's first command, proven: the suite copies the repository as a clean clone would,
 * runs `npm ci && npm start` with no DATABASE_URL (the embedded PostgreSQL), and drives the core
 * journeys against it. It starts and restarts Warden itself, so there is no webServer here.
 */
export default defineConfig({
  testDir: "e2e/default-path",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 120_000,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never", outputFolder: "playwright-report-default-path" }]],
  use: browserUse(`http://127.0.0.1:${DEFAULT_PATH_PORT}`),
});
