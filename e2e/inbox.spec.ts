import { expect, test } from "@playwright/test";
import { adminToken, createUser, provisionAgent, signedInContext, trpcMutation } from "./support/api";
import { logIn } from "./support/helpers";

test("an approver sees a proposal appear live, edits its args, approves from the keyboard, and the agent's wait returns the edited args", async ({
  page,
  request,
}) => {
  const token = await adminToken();
  const tool = `docker.restart-${Math.random().toString(36).slice(2, 6)}`;
  const agent = await provisionAgent(request, token, { name: tool });
  const approver = await createUser("approver");
  await logIn(page, approver);
  await page.getByRole("link", { name: "Inbox" }).click();
  await expect(page.getByRole("heading", { name: "Approval inbox" })).toBeVisible();

  const agentAuth = { Authorization: `Bearer ${agent.key}` };
  const proposed = await request.post("/api/v1/actions", {
    headers: agentAuth,
    data: {
      action: `docker restart traefik (${tool})`,
      tool,
      confidence: 0.42,
      args: { container: "traefik", timeout: 10 },
      rationale: "traefik answers 502 since the last deploy",
    },
  });
  expect(proposed.status()).toBe(201);
  const { id, decision } = (await proposed.json()) as { id: string; decision: string };
  expect(decision).toBe("require_approval");

  // It appears without a reload.
  const item = page.getByTestId("inbox-item").filter({ hasText: tool });
  await expect(item).toBeVisible();
  await item.click();
  await expect(page.getByTestId("detail-action")).toContainText("docker restart traefik");
  await expect(page.getByTestId("detail-args")).toContainText('"timeout": 10');
  await expect(page.getByTestId("expiry-countdown")).toContainText("left");
  await page.screenshot({ path: "test-results/screens/inbox.png", fullPage: true });

  const waiting = request.get(`/api/v1/actions/${id}/wait?timeoutSeconds=30`, { headers: agentAuth });
  await page.keyboard.press("e");
  const editor = page.getByLabel("Edited args (JSON)");
  await expect(editor).toBeFocused();
  await editor.fill('{\n  "container": "traefik",\n  "timeout": 30,\n  "validateConfig": true\n}');
  await editor.press("Control+Enter");
  await expect(page.getByTestId("inbox-notice")).toContainText("Approved with edited args");
  await expect(item).toHaveCount(0);

  const waited = await (await waiting).json();
  expect(waited).toMatchObject({ status: "approved", argsEdited: true, approvedArgs: { container: "traefik", timeout: 30, validateConfig: true } });

  // A second one, approved with `a`, and a third rejected with `r` and a reason.
  for (const confidence of [0.3, 0.2]) {
    await request.post("/api/v1/actions", { headers: agentAuth, data: { action: `restart cache ${confidence} (${tool})`, tool, confidence } });
  }
  await expect(page.getByTestId("inbox-item").filter({ hasText: tool })).toHaveCount(2);
  await page
    .getByTestId("inbox-item")
    .filter({ hasText: `restart cache 0.3 (${tool})` })
    .click();
  await page.keyboard.press("a");
  await expect(page.getByTestId("inbox-notice")).toContainText("Approved: restart cache 0.3");
  await page
    .getByTestId("inbox-item")
    .filter({ hasText: `restart cache 0.2 (${tool})` })
    .click();
  await page.keyboard.press("r");
  await page.getByLabel("Reason (goes back to the agent)").fill("not during peak hours");
  await page.getByRole("button", { name: "Reject", exact: true }).click();
  await expect(page.getByTestId("inbox-notice")).toContainText("Rejected");

  await page.getByRole("button", { name: "History" }).click();
  await expect(page.getByTestId("history-row").filter({ hasText: `restart cache 0.2 (${tool})` })).toContainText("rejected");
  await page.screenshot({ path: "test-results/screens/inbox-history.png", fullPage: true });
});

test("a viewer gets no approve control and the server refuses the viewer's approval", async ({ page, request }) => {
  const token = await adminToken();
  const tool = `git.push-${Math.random().toString(36).slice(2, 6)}`;
  const agent = await provisionAgent(request, token, { name: tool });
  const proposed = await request.post("/api/v1/actions", {
    headers: { Authorization: `Bearer ${agent.key}` },
    data: { action: "git push --force origin main", tool, confidence: 0.99 },
  });
  const { id } = (await proposed.json()) as { id: string };

  const viewer = await createUser("viewer");
  await logIn(page, viewer);
  await expect(page.getByRole("navigation", { name: "Console" })).not.toContainText("Inbox");
  const response = await page.goto("/inbox");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("button", { name: /Approve/ })).toHaveCount(0);

  const viewerApi = await signedInContext(viewer);
  const refused = await trpcMutation<{ message: string }>(viewerApi, "approvals.approve", { actionId: id });
  expect(refused.status).toBe(403);
  await viewerApi.dispose();
  const after = await request.get(`/api/v1/actions/${id}`, { headers: { Authorization: `Bearer ${agent.key}` } });
  expect(((await after.json()) as { status: string }).status).toBe("pending_approval");
});
