import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { adminToken, createUser, provisionAgent } from "./support/api";
import { logIn } from "./support/helpers";

test("a manager opens /metrics, changes the range and the agent, sees the charts redraw, and downloads a CSV that matches the chart", async ({
  page,
  request,
}) => {
  const token = await adminToken();
  const suffix = Math.random().toString(36).slice(2, 7);
  const busy = await provisionAgent(request, token, { name: `shards-${suffix}` });
  const careful = await provisionAgent(request, token, { name: `indexer-${suffix}` });
  for (let i = 0; i < 5; i++) {
    const proposed = await request.post("/api/v1/actions", {
      headers: { Authorization: `Bearer ${busy.key}` },
      data: { action: `compact shard ${suffix} ${i}`, tool: `shards-${suffix}`, confidence: 0.99 },
    });
    expect(proposed.status()).toBe(201);
    const { id } = (await proposed.json()) as { id: string };
    await request.post(`/api/v1/actions/${id}/result`, {
      headers: { Authorization: `Bearer ${busy.key}` },
      data: { status: i === 4 ? "failed" : "succeeded", failureReason: i === 4 ? "timed out" : undefined },
    });
  }
  for (let i = 0; i < 2; i++) {
    const proposed = await request.post("/api/v1/actions", {
      headers: { Authorization: `Bearer ${careful.key}` },
      data: { action: `reindex table ${suffix} ${i}`, tool: `indexer-${suffix}`, confidence: 0.3 },
    });
    expect(proposed.status()).toBe(201);
  }

  const manager = await createUser("viewer");
  await logIn(page, manager);
  await page.getByRole("link", { name: "Metrics" }).click();
  await expect(page).toHaveURL(/\/metrics$/);
  const interventionChart = page.getByTestId("chart-intervention-rate");
  await expect(interventionChart).toHaveAttribute("data-points", /^(24|25)$/);
  await expect(interventionChart.locator("svg.recharts-surface")).toBeVisible();

  // A week: daily buckets.
  await page.getByRole("button", { name: "7 d" }).click();
  await expect(interventionChart).toHaveAttribute("data-points", /^(7|8)$/);

  // One agent: its five decisions, one failure in five. The rollup folds every few seconds and
  // the page refetches on live events, so wait for the numbers to arrive.
  await page.getByLabel("Agent").selectOption({ label: busy.name });
  await expect(page.getByTestId("metrics-tiles")).not.toHaveAttribute("data-agent", "fleet");
  await expect(page.getByTestId("tile-decisions").locator("p").nth(1)).toHaveText("5", { timeout: 20_000 });
  await expect(page.getByTestId("tile-failure-rate")).toContainText("20.0%", { timeout: 20_000 });
  await page.screenshot({ path: "test-results/screens/metrics.png", fullPage: true });

  // The decision-mix chart's data as a table, and as a CSV: the same rows.
  const card = page.locator("section").filter({ has: page.getByTestId("chart-decision-mix") });
  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download Decisions as CSV" }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe("decision-mix.csv");
  const csv = (await readFile((await download.path())!, "utf8")).trim().split("\r\n");
  await card.getByRole("button", { name: "Data" }).click();
  const table = page.getByTestId("table-decision-mix");
  const header = (await table.locator("thead th").allInnerTexts()).join(",");
  const rows = await table
    .locator("tbody tr")
    // A date cell reads as people read dates; its <time> element carries the CSV's exact value.
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.querySelector("time")?.dateTime ?? td.textContent ?? "").join(",")));
  expect(csv[0]).toBe(header);
  expect(csv.slice(1)).toEqual(rows);
  expect(rows.length).toBeGreaterThanOrEqual(7);
  const autoTotal = csv.slice(1).reduce((sum, line) => sum + Number(line.split(",")[1]), 0);
  expect(autoTotal).toBe(5);
});
