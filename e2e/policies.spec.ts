import { expect, test } from "@playwright/test";
import { adminToken, provisionAgent } from "./support/api";
import { logIn } from "./support/helpers";

test("an admin previews a stricter policy's effect on past actions, saves it, and sees the new version", async ({ page, request }) => {
  const token = await adminToken();
  const tool = `deploy-${Math.random().toString(36).slice(2, 6)}`;
  const agent = await provisionAgent(request, token, { name: tool });
  const auth = { Authorization: `Bearer ${agent.key}` };
  for (const confidence of [0.97, 0.96, 0.8]) {
    await request.post("/api/v1/actions", { headers: auth, data: { action: `deploy web ${confidence}`, tool, confidence } });
  }
  await logIn(page);
  await page.getByRole("link", { name: "Actions" }).click();
  await expect(page.getByTestId("action-row").filter({ hasText: "deploy web 0.97" })).toContainText("auto execute");
  await page.screenshot({ path: "test-results/screens/actions.png", fullPage: true });

  await page.getByRole("link", { name: "Policies" }).click();
  const heading = page.getByRole("heading", { name: /In force: version \d+/ });
  await expect(heading).toBeVisible();
  const before = Number((await heading.textContent())!.match(/version (\d+)/)![1]);
  // The rules of the patterns are told where they are edited.
  await expect(page.getByTestId("pattern-help")).toContainText("matches as whole words");
  await expect(page.getByTestId("pattern-help")).toContainText("re:git push");
  await expect(page.getByLabel("An action that names no tool")).toHaveValue("execute_with_notification");
  await page.getByLabel("Auto-execute at or above").fill("0.98");
  const save = page.getByRole("button", { name: `Save as version ${before + 1}` });
  await expect(save).toBeDisabled();
  await page.getByRole("button", { name: "Preview the effect" }).click();
  await expect(page.getByTestId("replay-counts")).toBeVisible();
  await expect(page.getByText(/Actions whose decision changes \([1-9]/)).toBeVisible();
  await page.getByLabel("What changed and why").fill("auto-execute only above 0.98");
  await page.screenshot({ path: "test-results/screens/policies.png", fullPage: true });
  await save.click();
  await expect(page.getByRole("heading", { name: `In force: version ${before + 1}` })).toBeVisible();
  await expect(page.getByTestId("policy-version").first()).toContainText("auto-execute only above 0.98");
  await expect(page.getByTestId("policy-version").first()).toContainText("thresholds.autoExecute");

  // Put it back so later specs see the default thresholds.
  await page.getByLabel("Auto-execute at or above").fill("0.95");
  await page.getByRole("button", { name: "Preview the effect" }).click();
  await expect(page.getByTestId("replay-counts")).toBeVisible();
  await page.getByRole("button", { name: `Save as version ${before + 2}` }).click();
  await expect(page.getByRole("heading", { name: `In force: version ${before + 2}` })).toBeVisible();

  // The notification from the 0.8 action is in the feed.
  await page.getByRole("link", { name: "Notifications" }).click();
  await expect(page.getByTestId("notification").filter({ hasText: "deploy web 0.8" })).toBeVisible();
  await page.goto("/settings/tools");
  await expect(page.getByTestId(`tool-row-${tool}`)).toBeVisible();
  await page.screenshot({ path: "test-results/screens/settings-tools.png", fullPage: true });
});
