import { existsSync } from "node:fs";
import { devices, type PlaywrightTestConfig } from "@playwright/test";

// Debian's Chromium where it is installed (CI and these machines); Playwright's own elsewhere.
const systemChromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

/** The browser every suite drives, with traces and screenshots kept on failure. */
export function browserUse(baseURL: string): PlaywrightTestConfig["use"] {
  return {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    ...devices["Desktop Chrome"],
    launchOptions: {
      executablePath: systemChromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  };
}
