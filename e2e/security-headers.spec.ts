import { expect, test, type Page } from "@playwright/test";
import { adminToken } from "./support/api";
import { serveAttackerPage } from "./support/attacker-page";
import { ADMIN, E2E_PORT } from "./support/constants";
import { logIn } from "./support/helpers";

const BASE = `http://127.0.0.1:${E2E_PORT}`;

const PAGES = [
  "/inbox",
  "/fleet",
  "/tasks",
  "/actions",
  "/control",
  "/metrics",
  "/memory",
  "/policies",
  "/audit",
  "/notifications",
  "/settings/agents",
  "/settings/tools",
  "/settings/mcp-servers",
  "/settings/users",
  "/settings/webhooks",
  "/settings/metrics",
  "/settings/budgets",
  "/settings/prices",
  "/settings/tokens",
  "/settings/account",
];

/** Every CSP violation the page reports, and every console line about one. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction("reportCspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { reportCspViolation: (t: string) => void }).reportCspViolation(
        `${location.pathname}: ${e.violatedDirective} blocked ${e.blockedURI}`,
      ),
    );
  });
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply|frame|connect)/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
  });
  return violations;
}

test("every console page carries its security headers and runs under its CSP without a single violation", async ({ page }) => {
  test.setTimeout(120_000);
  const violations = await watchViolations(page);
  await logIn(page);
  for (const path of PAGES) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    const headers = response!.headers();
    expect(headers["content-security-policy"], path).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"], path).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(headers, path).toMatchObject({ "x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "same-origin" });
    expect(headers["strict-transport-security"], `${path} is plain HTTP`).toBeUndefined();
    await expect(page.getByTestId("current-user")).toHaveText(ADMIN.email);
    await page.waitForTimeout(400); // the client's queries and charts render
  }
  // The app still works under it: a client-side navigation and a live tRPC call.
  await page.goto("/inbox");
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Fleet" }).click();
  await expect(page).toHaveURL(/\/fleet$/);
  await page.goto("/settings/account");
  await page.getByLabel("Current password").fill("not my password at all");
  await page.getByLabel("New password").fill("whatever new password 1");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("that is not your current password")).toBeVisible();
  expect(violations).toEqual([]);
});

test("the login page carries them too, and a next target elsewhere still lands on a page of Warden", async ({ browser }) => {
  for (const next of ["/\\evil.example", "/\t/evil.example", "//evil.example", "https://evil.example", "/%5Cevil.example"]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations = await watchViolations(page);
    const response = await page.goto(`/login?next=${encodeURIComponent(next)}`);
    expect(response!.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname !== "/login");
    // Home, or a path of Warden's that does not exist ("/%5Cevil.example"): never elsewhere.
    expect(new URL(page.url()).origin, `next=${JSON.stringify(next)}`).toBe(BASE);
    expect(violations).toEqual([]);
    await context.close();
  }
});

test("a page elsewhere cannot frame /control", async ({ page }) => {
  await logIn(page);
  const attacker = await serveAttackerPage(
    E2E_PORT + 3,
    `<!doctype html><title>free prizes</title><iframe name="victim" src="${BASE}/control" width="800" height="600"></iframe>`,
  );
  try {
    await page.goto(attacker.url);
    await page.waitForTimeout(1500);
    const framed = page.frame({ name: "victim" })!;
    expect(framed).toBeTruthy();
    // Chromium refuses to render it: the frame holds its error page, not the console.
    expect(framed.url().startsWith(BASE)).toBe(false);
    expect(
      await framed
        .locator("[data-testid=current-user]")
        .count()
        .catch(() => 0),
    ).toBe(0);
  } finally {
    await attacker.close();
  }
});

test("Bearer calls are not held to the origin: scripts and agents send no Origin, or any", async ({ request }) => {
  const token = await adminToken();
  const response = await request.put(`/api/v1/tools/origin-free-${Math.random().toString(36).slice(2, 7)}`, {
    headers: { authorization: `Bearer ${token}`, origin: "http://elsewhere.example", cookie: "authjs.session-token=stale" },
    data: { scopes: [] },
  });
  expect(response.status()).toBe(200);
  const me = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);
});
