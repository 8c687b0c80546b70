import { expect, test } from "@playwright/test";
import { adminToken, provisionAgent } from "./support/api";
import { E2E_PORT } from "./support/constants";
import { logIn } from "./support/helpers";
import { simulateAgent } from "./support/simulated-agent";

test("an operator suspends the fleet in the console, sees three simulated agents acknowledge, then resumes", async ({ page, request }) => {
  const token = await adminToken();
  const tool = `ops.tool-${Math.random().toString(36).slice(2, 6)}`;
  const base = `http://127.0.0.1:${E2E_PORT}`;
  const agents = [];
  for (let i = 0; i < 3; i++) {
    const agent = await provisionAgent(request, token, { name: `${tool}-${i}` });
    agents.push({ ...agent, sim: simulateAgent(base, agent.key) });
  }
  await Promise.all(agents.map((a) => a.sim.waitFor((e) => e.event === "control" && e.data.current === true)));

  await logIn(page);
  await page.getByRole("link", { name: "Control" }).click();
  await expect(page.getByTestId("fleet-state")).toContainText("running");
  await page.getByLabel("Reason").fill("e2e drill");
  await page.getByRole("button", { name: "suspend", exact: true }).click();
  await page.getByLabel("Confirmation").fill("suspend fleet");
  await page.getByRole("button", { name: "Confirm suspend" }).click();

  await expect(page.getByTestId("fleet-state")).toContainText("suspended");
  for (const agent of agents) {
    await agent.sim.waitFor((e) => e.event === "control" && e.data.state === "suspended");
  }
  // Every simulated agent shows up acknowledged, with its latency, live.
  const detail = page.getByTestId("ack-count").locator("..");
  for (const agent of agents) await expect(detail).toContainText(new RegExp(`${agent.name}\\s*\\d+ ms`));
  for (const agent of agents) await expect(page.getByTestId("not-acked").filter({ hasText: agent.name })).toHaveCount(0);
  const denied = await request.post("/api/v1/actions", { headers: { Authorization: `Bearer ${agents[0]!.key}` }, data: { action: "x", tool: `${tool}-0`, confidence: 0.99 } });
  expect(((await denied.json()) as { reasons: { code: string }[] }).reasons[0]!.code).toBe("control_suspended");
  await page.screenshot({ path: "test-results/screens/control.png", fullPage: true });

  await page.getByRole("button", { name: "resume", exact: true }).click();
  await page.getByLabel("Confirmation").fill("resume fleet");
  await page.getByRole("button", { name: "Confirm resume" }).click();
  await expect(page.getByTestId("fleet-state")).toContainText("running");
  for (const agent of agents) await agent.sim.waitFor((e) => e.event === "control" && e.data.state === "running" && e.data.current !== true);
  await expect(page.getByTestId("control-history-row").first()).toContainText("resume");
  for (const agent of agents) await agent.sim.stop();
});
