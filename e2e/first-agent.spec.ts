import { expect, test } from "@playwright/test";
import { logIn, uniqueName } from "./support/helpers";

test("a new admin logs in, registers an agent, copies its key, and the agent calls GET /api/v1/me", async ({ page, request }) => {
  await logIn(page);
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings\/agents$/);

  const name = uniqueName("ops-e2e");
  await page.getByTestId("register-agent").click();
  const form = page.getByRole("form", { name: "Register an agent" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Team").fill("ops");
  await form.getByLabel("Capabilities").fill("restart, deploy");
  await form.getByLabel("Tools").fill("docker.restart");
  await form.getByLabel("Resource scopes").fill("staging/*");
  await form.getByRole("button", { name: "Register and issue key" }).click();

  const secret = page.getByTestId("secret-value");
  await expect(secret).toContainText("wdn_agent_");
  const key = (await secret.textContent())!.trim();
  await expect(page.getByTestId(`agent-row-${name}`)).toContainText("docker.restart");
  await page.screenshot({ path: "test-results/screens/settings-agents.png", fullPage: true });

  const me = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${key}` } });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ type: "agent", agent: { name, team: "ops", capabilities: ["restart", "deploy"] } });

  // The audit log proves who did it.
  await page.getByRole("link", { name: "Audit" }).click();
  await expect(page.getByTestId("audit-row").filter({ hasText: "agent.create" }).first()).toContainText("admin@e2e.test");
  await page.getByTestId("verify-chain").click();
  await expect(page.getByTestId("verify-result")).toContainText("Intact");
  await page.screenshot({ path: "test-results/screens/audit.png", fullPage: true });
});

test("a wrong password is refused on the login page", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("admin@e2e.test");
  await page.getByLabel("Password").fill("definitely-wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong" })).toHaveText("Wrong email or password.");
  await page.screenshot({ path: "test-results/screens/login-refused.png" });
});
