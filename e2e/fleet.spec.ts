import { expect, test } from "@playwright/test";
import { adminToken } from "./support/api";
import { logIn } from "./support/helpers";

test("the fleet page shows an agent go from idle to working without a reload", async ({ page, request }) => {
  const token = await adminToken();
  const auth = { Authorization: `Bearer ${token}` };
  const capability = `fleet-cap-${Math.random().toString(36).slice(2, 6)}`;
  const created = await request.post("/api/v1/agents", {
    headers: auth,
    data: { name: `worker-${capability}`, role: "specialist", team: "ops", capabilities: [capability] },
  });
  const { agent, key } = (await created.json()) as { agent: { name: string }; key: { secret: string } };
  const agentAuth = { Authorization: `Bearer ${key.secret}` };
  await request.post("/api/v1/heartbeat", { headers: agentAuth, data: {} });

  await logIn(page);
  await page.getByRole("link", { name: "Fleet" }).click();
  const row = page.getByTestId(`fleet-agent-${agent.name}`);
  await expect(row).toContainText("idle");

  const task = await request.post("/api/v1/tasks", { headers: auth, data: { title: "rotate the certificates", capability, priority: 70 } });
  expect(task.status()).toBe(201);
  await expect(page.getByTestId(`queue-${capability}`)).toContainText("1 queued");
  const claimed = await request.post("/api/v1/tasks/claim", { headers: agentAuth, data: {} });
  expect(claimed.status()).toBe(200);

  await expect(row).toContainText("working");
  await expect(row).toContainText("rotate the certificates");
  await page.screenshot({ path: "test-results/screens/fleet.png", fullPage: true });

  // The agent's own page: its tasks and control history.
  await row.getByRole("link", { name: agent.name }).click();
  await expect(page.getByRole("heading", { name: agent.name })).toBeVisible();
  await expect(page.getByText("rotate the certificates")).toBeVisible();
  await page.screenshot({ path: "test-results/screens/fleet-agent.png", fullPage: true });
});
