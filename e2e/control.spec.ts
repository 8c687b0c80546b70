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
  const denied = await request.post("/api/v1/actions", {
    headers: { Authorization: `Bearer ${agents[0]!.key}` },
    data: { action: "x", tool: `${tool}-0`, confidence: 0.99 },
  });
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

test("kill after an approver's edit: the console's plan lists the stale undo for a person, follows the rollback count, and the kill undoes what ran", async ({
  page,
  request,
}) => {
  const token = await adminToken();
  const auth = { Authorization: `Bearer ${token}` };
  const tool = `ops.restart-${Math.random().toString(36).slice(2, 6)}`;
  const team = `edit-${Math.random().toString(36).slice(2, 6)}`;
  expect((await request.put(`/api/v1/tools/${tool}`, { headers: auth, data: { scopes: [], reversible: true } })).status()).toBe(200);
  const created = await request.post("/api/v1/agents", { headers: auth, data: { name: `${tool}-agent`, role: "specialist", team, tools: [tool] } });
  const { key } = (await created.json()) as { key: { secret: string } };
  const agentAuth = { Authorization: `Bearer ${key.secret}` };
  const sim = simulateAgent(`http://127.0.0.1:${E2E_PORT}`, key.secret);
  await sim.waitFor((e) => e.event === "control");

  // Two restarts the approver edits from web to web-canary in the inbox; the agent registers a
  // fresh undo with the second one's result only.
  await logIn(page);
  const ids: string[] = [];
  for (const [i, container] of ["web", "api"].entries()) {
    const proposed = await request.post("/api/v1/actions", {
      headers: agentAuth,
      data: {
        action: `restart ${container} (${tool})`,
        tool,
        confidence: 0.4,
        args: { container },
        reversible: true,
        undo: { tool, args: { container, revert: true } },
      },
    });
    const { id } = (await proposed.json()) as { id: string };
    ids.push(id);
    await page.goto("/inbox");
    await page
      .getByTestId("inbox-item")
      .filter({ hasText: `restart ${container} (${tool})` })
      .click();
    await page.keyboard.press("e");
    await page.getByLabel("Edited args (JSON)").fill(JSON.stringify({ container: `${container}-canary` }));
    await page.getByLabel("Edited args (JSON)").press("Control+Enter");
    await expect(page.getByTestId("inbox-notice")).toContainText("Approved with edited args");
    const result = i === 0 ? { status: "succeeded" } : { status: "succeeded", undo: { tool, args: { container: `${container}-canary`, revert: true } } };
    expect((await request.post(`/api/v1/actions/${id}/result`, { headers: agentAuth, data: result })).status()).toBe(200);
  }

  await page.goto("/control");
  await page.getByLabel("Scope").selectOption(`team:${team}`);
  await page.getByLabel("Reason").fill("edited restarts went wrong");
  await page.getByRole("button", { name: "Kill…" }).click();
  const plan = page.getByTestId("kill-plan");
  await expect(plan).toContainText(`restart api (${tool})`);
  await expect(page.getByTestId("kill-plan-manual").filter({ hasText: `restart web (${tool})` })).toContainText("args edited after the undo was registered");
  const first = (await page.getByTestId("kill-token").textContent())!.trim();

  // The operator narrows the rollback to the last action: a new token and plan.
  await plan.getByRole("spinbutton").fill("1");
  await expect(page.getByTestId("kill-token")).not.toHaveText(first);
  const second = (await page.getByTestId("kill-token").textContent())!.trim();
  const stale = await request.post("/api/v1/control/kill", { headers: auth, data: { confirm: first } });
  expect(stale.status()).toBe(403);
  await page.getByLabel("Kill confirmation").fill(second);
  await plan.getByRole("button", { name: /^Kill / }).click();
  await expect(page.getByTestId("control-history-row").first()).toContainText("kill");

  const order = await sim.waitFor((e) => e.event === "rollback");
  expect(order.data).toMatchObject({ actionId: ids[1], undo: { tool, args: { container: "api-canary", revert: true } } });
  await page.screenshot({ path: "test-results/screens/control-kill-after-edit.png", fullPage: true });
  await sim.stop();
  await request.post("/api/v1/control/resume", { headers: auth, data: { scope: `team:${team}`, reason: "drill over" } });
});
