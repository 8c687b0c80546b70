import { expect, test } from "@playwright/test";
import { adminToken, createUser, provisionAgent } from "./support/api";
import { logIn, uniqueName } from "./support/helpers";

test("a viewer rates an action thumbs down with a comment and sees it listed beside an evaluator's score; rating again replaces it", async ({
  page,
  request,
}) => {
  const token = await adminToken();
  const tool = uniqueName("report.write");
  const worker = await provisionAgent(request, token, { name: tool });
  const proposed = await request.post("/api/v1/actions", {
    headers: { Authorization: `Bearer ${worker.key}` },
    data: { action: "write the weekly incident report", tool, confidence: 0.99 },
  });
  expect(proposed.status()).toBe(201);
  const { id: actionId } = (await proposed.json()) as { id: string };

  // An evaluator agent scores the same action through the API.
  const evaluator = await provisionAgent(request, token, { name: uniqueName("evaluate") });
  const scored = await request.post("/api/v1/scores", {
    headers: { Authorization: `Bearer ${evaluator.key}` },
    data: { actionId, name: "correctness", value: 0.8, comment: "facts check out" },
  });
  expect(scored.status()).toBe(201);

  const viewer = await createUser("viewer");
  await logIn(page, viewer);
  await page.goto(`/actions/${actionId}`);
  await expect(page.getByText("write the weekly incident report").first()).toBeVisible();
  const comment = "Missed the second outage on Tuesday";
  await page.getByLabel("Comment (optional)").fill(comment);
  await page.getByRole("button", { name: "Thumbs down" }).click();

  const mine = page.getByTestId("score-row").filter({ hasText: viewer.email });
  await expect(mine).toContainText("Thumbs down");
  await expect(mine).toContainText(comment);
  await expect(page.getByRole("button", { name: "Thumbs down" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("score-row").filter({ hasText: evaluator.name })).toContainText("correctness 0.80");
  await expect(page.getByTestId("score-summary")).toContainText("people: 0 of 1 thumbs up");
  await page.screenshot({ path: "test-results/screens/quality.png", fullPage: true });

  // Changing one's mind replaces the rating: still one row from this viewer.
  await page.getByRole("button", { name: "Thumbs up" }).click();
  await expect(page.getByRole("button", { name: "Thumbs up" })).toHaveAttribute("aria-pressed", "true");
  await expect(mine).toHaveCount(1);
  await expect(mine).toContainText("Thumbs up");
  await expect(page.getByTestId("score-summary")).toContainText("people: 1 of 1 thumbs up");
});

test("a viewer rates a task from its page", async ({ page, request }) => {
  const token = await adminToken();
  const created = await request.post("/api/v1/tasks", {
    headers: { Authorization: `Bearer ${token}` },
    data: { title: "draft the release notes", capability: uniqueName("docs") },
  });
  expect(created.status()).toBe(201);
  const { task } = (await created.json()) as { task: { id: string } };
  const viewer = await createUser("viewer");
  await logIn(page, viewer);
  await page.goto(`/tasks/${task.id}`);
  await expect(page.getByText("draft the release notes").first()).toBeVisible();
  await page.getByRole("button", { name: "Thumbs up" }).click();
  const mine = page.getByTestId("score-row").filter({ hasText: viewer.email });
  await expect(mine).toContainText("Thumbs up");
  await page.screenshot({ path: "test-results/screens/quality-task.png", fullPage: true });
});
