import { expect, test } from "@playwright/test";
import { adminToken, createUser } from "./support/api";
import { logIn } from "./support/helpers";

test("an approver searches memory for traefik, opens the entry, follows it to its action, retires it, and recall no longer returns it", async ({ page, request }) => {
  const token = await adminToken();
  const auth = { Authorization: `Bearer ${token}` };
  const suffix = Math.random().toString(36).slice(2, 7);
  const tool = `docker.restart-${suffix}`;
  await request.put(`/api/v1/tools/${tool}`, { headers: auth, data: { scopes: ["staging/*"] } });
  const created = await request.post("/api/v1/agents", { headers: auth, data: { name: `ops-mem-${suffix}`, role: "specialist", team: "ops", tools: [tool], scopes: ["staging/*"] } });
  const { key } = (await created.json()) as { key: { secret: string } };
  const agentAuth = { Authorization: `Bearer ${key.secret}` };
  const resource = `staging/traefik${suffix}`;
  const proposed = await request.post("/api/v1/actions", { headers: agentAuth, data: { action: "docker restart traefik", tool, resource, confidence: 0.97 } });
  const { id: actionId } = (await proposed.json()) as { id: string };
  const reason = `config had invalid YAML (${suffix}): always validate config before restart`;
  await request.post(`/api/v1/actions/${actionId}/result`, { headers: agentAuth, data: { status: "failed", error: "exit 1", failureReason: reason } });

  const approver = await createUser("approver");
  await logIn(page, approver);
  await page.getByRole("link", { name: "Memory" }).click();
  await page.getByLabel("Search memory").fill(`traefik${suffix}`);
  const entry = page.getByTestId("memory-row").filter({ hasText: reason });
  await expect(entry).toBeVisible();
  await page.screenshot({ path: "test-results/screens/memory.png", fullPage: true });
  await entry.getByRole("link").click();
  await expect(page.getByTestId("memory-body")).toHaveText(reason);
  await page.getByTestId("memory-action").click();
  await expect(page).toHaveURL(new RegExp(`/actions/${actionId}$`));
  await expect(page.getByText("docker restart traefik").first()).toBeVisible();
  await page.goBack();

  const recall = async () => {
    const response = await request.get(`/api/v1/memory/recall?q=${encodeURIComponent(`traefik${suffix} restart`)}`, { headers: agentAuth });
    return ((await response.json()) as { results: { body: string }[] }).results.map((r) => r.body);
  };
  expect(await recall()).toContain(reason);
  await page.getByRole("button", { name: "Retire" }).click();
  await expect(page.getByRole("button", { name: "Restore" })).toBeVisible();
  expect(await recall()).not.toContain(reason);
});
