import { expect, test } from "@playwright/test";
import { adminToken, createUser } from "./support/api";
import { logIn } from "./support/helpers";

test("an approver searches memory for traefik, opens the entry, follows it to its action, retires it, and recall no longer returns it", async ({
  page,
  request,
}) => {
  const token = await adminToken();
  const auth = { Authorization: `Bearer ${token}` };
  const suffix = Math.random().toString(36).slice(2, 7);
  const tool = `docker.restart-${suffix}`;
  await request.put(`/api/v1/tools/${tool}`, { headers: auth, data: { scopes: ["staging/*"] } });
  const created = await request.post("/api/v1/agents", {
    headers: auth,
    data: { name: `ops-mem-${suffix}`, role: "specialist", team: "ops", tools: [tool], scopes: ["staging/*"] },
  });
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
  await expect(page.getByLabel("Order")).toHaveValue("relevance");
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

test("an approver edits a lesson (the old text stays as a version), merges a duplicate into it, and the agent's page shows what it taught", async ({
  page,
  request,
}) => {
  const token = await adminToken();
  const auth = { Authorization: `Bearer ${token}` };
  const suffix = Math.random().toString(36).slice(2, 7);
  const agents = await Promise.all(
    ["a", "b"].map(async (n) => {
      const created = await request.post("/api/v1/agents", { headers: auth, data: { name: `mem-${n}-${suffix}`, role: "specialist", team: "ops" } });
      const body = (await created.json()) as { agent: { id: string; name: string }; key: { secret: string } };
      return { ...body.agent, auth: { Authorization: `Bearer ${body.key.secret}` } };
    }),
  );
  const [a, b] = agents as [(typeof agents)[0], (typeof agents)[0]];
  const remember = async (who: typeof a, subject: string, body: string) => {
    const response = await request.post("/api/v1/memory", { headers: who.auth, data: { kind: "negative_knowledge", subject, body } });
    expect(response.status()).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };
  const keepId = await remember(a, `rotate cert${suffix}`, "the new certificate lacked the intermediate chain");
  const dupId = await remember(b, `cert${suffix} rotation`, "certificate lacked its intermediate chain, check the bundle");

  const approver = await createUser("approver");
  await logIn(page, approver);
  await page.goto(`/memory/${keepId}`);
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Lesson").fill("Bundle the intermediate chain with the certificate before rotating.");
  await page.getByLabel("Why the change").fill("say the fix");
  await page.getByRole("button", { name: "Save version 2" }).click();
  await expect(page.getByTestId("memory-body")).toHaveText("Bundle the intermediate chain with the certificate before rotating.");
  await expect(page.getByTestId("memory-versions")).toContainText("the new certificate lacked the intermediate chain");
  await expect(page.getByTestId("memory-versions")).toContainText("say the fix");

  const duplicate = page.getByTestId("duplicate-row").filter({ hasText: `cert${suffix} rotation` });
  await duplicate.getByRole("checkbox").check();
  await page.getByRole("button", { name: /Merge 1 into this entry/ }).click();
  await expect(page.getByText("Holds 1 merged entry")).toBeVisible();
  await page.screenshot({ path: "test-results/screens/memory-entry.png", fullPage: true });
  const recalled = await request.get(`/api/v1/memory/recall?q=${encodeURIComponent(`rotate cert${suffix}`)}`, { headers: b.auth });
  const ids = ((await recalled.json()) as { results: { id: string }[] }).results.map((r) => r.id);
  expect(ids).toContain(keepId);
  expect(ids).not.toContain(dupId);

  await page.goto(`/fleet/${a.id}`);
  await expect(page.getByTestId("agent-learned")).toContainText(`rotate cert${suffix}`);
  await page.goto(`/fleet/${b.id}`);
  await expect(page.getByTestId("agent-recalled")).toContainText(`rotate cert${suffix}`);
});

test("a search with typos explains each hit, and the lesson lists the decision it changed (1440 and 390 px)", async ({ page, request }) => {
  const token = await adminToken();
  const auth = { Authorization: `Bearer ${token}` };
  // Letters only, so that a typo in the name is read back as the name.
  const letters = Array.from({ length: 6 }, () => "abcdefghijklmnopqrstuvwxyz"[Math.floor(Math.random() * 26)]).join("");
  const service = `gateway${letters}`;
  const [restart, runbook] = [`ops.restart-${letters}`, `runbook.exec-${letters}`];
  for (const tool of [restart, runbook]) await request.put(`/api/v1/tools/${tool}`, { headers: auth, data: { scopes: ["staging/*"] } });
  const agent = async (name: string) => {
    const created = await request.post("/api/v1/agents", {
      headers: auth,
      data: { name, role: "specialist", team: "ops", tools: [restart, runbook], scopes: ["staging/*"] },
    });
    return { Authorization: `Bearer ${((await created.json()) as { key: { secret: string } }).key.secret}` };
  };
  const [ada, bo] = [await agent(`ada-${letters}`), await agent(`bo-${letters}`)];
  const resource = `staging/${service}`;
  const failed = await request.post("/api/v1/actions", { headers: ada, data: { action: `restart ${service}`, tool: restart, resource, confidence: 0.97 } });
  const reason = `port 8443 was still bound by a stale process; free it before restarting ${service}`;
  await request.post(`/api/v1/actions/${((await failed.json()) as { id: string }).id}/result`, {
    headers: ada,
    data: { status: "failed", failureReason: reason },
  });
  // Another agent, another tool, another verb for the same operation on the same resource: lowered.
  const lowered = await request.post("/api/v1/actions", { headers: bo, data: { action: `bounce ${service}`, tool: runbook, resource, confidence: 0.97 } });
  const decision = (await lowered.json()) as { decision: string; recalled: { why: { match: string } }[] };
  expect(decision.decision).toBe("execute_with_notification");
  expect(decision.recalled[0]!.why.match).toBe("same_subject");

  const approver = await createUser("approver");
  await logIn(page, approver);
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.goto("/memory");
    const typed = `restrat ${service.slice(0, 3)}${service[4]}${service[3]}${service.slice(5)}`; // two typos: a swapped pair in each word
    await page.getByLabel("Search memory").fill(typed);
    const row = page.getByTestId("memory-row").filter({ hasText: reason });
    await expect(row).toBeVisible();
    await expect(row.getByTestId("memory-why")).toContainText("same operation and resource");
    await expect(row.getByTestId("memory-why")).toContainText("read restrat as restart");
    await expect(row.getByTestId("memory-why")).toContainText(`as ${service}`);
    await page.screenshot({ path: `test-results/screens/memory-why-${width}.png`, fullPage: true });
    await row.getByRole("link").click();
    await expect(page.getByTestId("memory-changed-decisions")).toContainText(`bounce ${service}`);
    await expect(page.getByTestId("memory-topic")).toContainText("restart");
    await page.screenshot({ path: `test-results/screens/memory-entry-why-${width}.png`, fullPage: true });
  }
});
