import { expect, test } from "@playwright/test";
import { logIn, uniqueName } from "./support/helpers";

test("an admin adds an approver, who signs in, makes a personal token, and is refused the admin pages", async ({ page, browser, request }) => {
  await logIn(page);
  await page.goto("/settings/users");
  const email = `${uniqueName("approver")}@e2e.test`;
  const form = page.getByRole("form", { name: "Add a person" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Role").selectOption("viewer");
  await form.getByRole("button", { name: "Add" }).click();
  const password = (await page.getByTestId("secret-value").textContent())!.trim();
  expect(password.length).toBeGreaterThanOrEqual(20);
  const row = page.getByTestId(`user-row-${email}`);
  await row.getByLabel(`Role of ${email}`).selectOption("approver");
  await expect(row.getByLabel(`Role of ${email}`)).toHaveValue("approver");
  await page.screenshot({ path: "test-results/screens/settings-users.png", fullPage: true });

  const other = await browser.newContext();
  const approverPage = await other.newPage();
  await logIn(approverPage, { email, password });
  await expect(approverPage.getByRole("navigation", { name: "Console" })).not.toContainText("Audit");
  await approverPage.getByRole("link", { name: "Settings" }).click();
  await expect(approverPage.getByRole("navigation", { name: "Settings" })).not.toContainText("Users");
  await approverPage.getByLabel("Name").fill("chat-approvals");
  await approverPage.getByRole("button", { name: "Create token" }).click();
  const token = (await approverPage.getByTestId("secret-value").textContent())!.trim();
  expect(token.startsWith("wdn_user_")).toBe(true);
  await approverPage.screenshot({ path: "test-results/screens/settings-tokens.png", fullPage: true });

  // The server refuses the admin page itself, not just the link.
  const adminPage = await approverPage.goto("/settings/users");
  expect(adminPage?.status()).toBe(403);
  await expect(approverPage.getByText("Your role does not reach this page")).toBeVisible();
  const audit = await approverPage.goto("/audit");
  expect(audit?.status()).toBe(403);

  // The token carries the approver role: reading agents works, creating one is refused.
  expect((await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(200);
  const create = await request.post("/api/v1/agents", {
    headers: { Authorization: `Bearer ${token}` },
    data: { name: uniqueName("nope"), role: "specialist", team: "ops" },
  });
  expect(create.status()).toBe(403);
  await other.close();
});
