import { expect, test } from "@playwright/test";
import { adminToken, provisionAgent } from "./support/api";
import { logIn, uniqueName } from "./support/helpers";

test("an admin sets a model's price and an agent's budget, then sees the agent's spend against it and the pause at 100%", async ({ page, request }) => {
  const token = await adminToken();
  const agent = await provisionAgent(request, token, { name: uniqueName("llm.call") });
  const model = uniqueName("gpt-e2e");
  await logIn(page);

  await page.goto("/settings/prices");
  await page.getByRole("button", { name: "Add a model" }).click();
  const priceForm = page.getByRole("form", { name: "Model price" });
  await priceForm.getByLabel("Model").fill(model);
  await priceForm.getByLabel("Input (USD per million tokens)").fill("3");
  await priceForm.getByLabel("Output (USD per million tokens)").fill("15");
  await priceForm.getByRole("button", { name: "Save price" }).click();
  const priceRow = page.getByTestId(`price-row-${model}`);
  await expect(priceRow).toContainText("$3.00");
  await expect(priceRow).toContainText("$15.00");

  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Budgets" }).click();
  await expect(page).toHaveURL(/\/settings\/budgets$/);
  await page.getByRole("button", { name: "Add a budget" }).click();
  const budgetForm = page.getByRole("form", { name: "Add a budget" });
  await budgetForm.getByLabel("Applies to").selectOption("agent");
  await budgetForm.getByLabel(/^Agent/).selectOption({ label: agent.name });
  await budgetForm.getByLabel("Period").selectOption("day");
  await budgetForm.getByLabel("Limit (USD)").fill("1");
  await budgetForm.getByRole("button", { name: "Add budget" }).click();
  const row = page.getByTestId(`budget-row-${agent.name}-day`);
  await expect(row).toContainText("$0.00 of $1.00");
  await expect(row).toContainText("running");

  // The agent reports tokens without money: the price table makes them $0.30 + $0.30.
  const usage = await request.post("/api/v1/usage", {
    headers: { Authorization: `Bearer ${agent.key}` },
    data: { model, inputTokens: 100_000, outputTokens: 20_000 },
  });
  expect(usage.status()).toBe(201);
  expect(await usage.json()).toMatchObject({ usd: 0.6, priced: true, usdSource: "price_table" });
  await page.reload();
  await expect(row).toContainText("$0.60 of $1.00");
  await expect(row).toContainText("60%");
  await page.screenshot({ path: "test-results/screens/settings-budgets.png", fullPage: true });

  const over = await request.post("/api/v1/usage", {
    headers: { Authorization: `Bearer ${agent.key}` },
    data: { model, inputTokens: 100_000, outputTokens: 20_000 },
  });
  expect(over.status()).toBe(201);
  await page.reload();
  await expect(row).toContainText("$1.20 of $1.00");
  await expect(row).toContainText("paused (budget)");
  await page.screenshot({ path: "test-results/screens/settings-budgets-paused.png", fullPage: true });

  await page.goto("/settings/prices");
  await expect(page.getByTestId(`price-row-${model}`)).toBeVisible();
  await page.screenshot({ path: "test-results/screens/settings-prices.png", fullPage: true });

  // The change is audited with its author.
  await page.getByRole("link", { name: "Audit" }).click();
  await expect(page.getByTestId("audit-row").filter({ hasText: "budget.create" }).first()).toContainText("admin@e2e.test");
  await expect(page.getByTestId("audit-row").filter({ hasText: "price.create" }).first()).toContainText("admin@e2e.test");
});
