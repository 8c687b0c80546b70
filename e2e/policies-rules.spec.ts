import { rm, writeFile } from "node:fs/promises";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { adminToken, createUser } from "./support/api";
import { TEST_CLOCK_FILE } from "./support/constants";
import { logIn } from "./support/helpers";

/*
 * The article's story: an agent restarting a database at 2pm on a Tuesday. An admin writes the
 * rule in the /policies form, checks it as they type, replays it, saves it, and the agent's
 * db.restart on prod/db waits inside Mon-Fri 09:00-18:00 Berlin and runs outside it. The rules'
 * clock is the e2e server's test clock (WARDEN_TEST_CLOCK_FILE with WARDEN_TEST_MODE=1), set per proposal.
 */

const RULE = "db restarts on prod wait in business hours";
const CONDITION = 'tool.name == "db.restart" && resource.startsWith("prod/") && inWindow(now, "Mon-Fri 09:00-18:00", "Europe/Berlin")';

/** Whether a moment is inside Mon-Fri 09:00-18:00 in Berlin (what the replay should find). */
function inBerlinBusinessHours(at: Date): boolean {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Berlin", weekday: "short", hour: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const weekday = parts.find((p) => p.type === "weekday")!.value;
  const hour = Number(parts.find((p) => p.type === "hour")!.value);
  return !["Sat", "Sun"].includes(weekday) && hour >= 9 && hour < 18;
}

async function restart(api: APIRequestContext, key: string, label: string) {
  const response = await api.post("/api/v1/actions", {
    headers: { Authorization: `Bearer ${key}` },
    data: { action: `restart the database (${label})`, tool: "db.restart", resource: "prod/db", confidence: 0.99 },
  });
  expect(response.status()).toBe(201);
  return (await response.json()) as { id: string; decision: string; reasons: { code: string; rule?: string; message: string }[] };
}

test.afterAll(async () => {
  await rm(TEST_CLOCK_FILE, { force: true });
});

test("the 2pm-on-a-Tuesday rule: written in the form, replayed, saved, and enforced by the clock", async ({ page, request }) => {
  const token = await adminToken();
  const auth = { Authorization: `Bearer ${token}` };
  expect((await request.put("/api/v1/tools/db.restart", { headers: auth, data: { scopes: ["prod/*", "staging/*"], risk: "high" } })).status()).toBe(200);
  const created = await request.post("/api/v1/agents", {
    headers: auth,
    data: { name: `fixer-${Math.random().toString(36).slice(2, 6)}`, role: "specialist", team: "ops", tools: ["db.restart"], scopes: ["prod/*"] },
  });
  expect(created.status()).toBe(201);
  const { key } = (await created.json()) as { key: { secret: string } };

  // Before the rule, on the real clock: the restart runs on its own.
  await rm(TEST_CLOCK_FILE, { force: true });
  const before = new Date();
  const past = await restart(request, key.secret, "before the rule");
  const after = new Date();
  expect(past.decision).toBe("auto_execute");

  await logIn(page);
  await page.goto("/policies");
  const heading = page.getByRole("heading", { name: /In force: version \d+/ });
  await expect(heading).toBeVisible();
  const version = Number((await heading.textContent())!.match(/version (\d+)/)![1]);

  // The context is listed where conditions are written.
  await page.getByText("What a condition can use (CEL)").click();
  await expect(page.getByTestId("rule-context")).toContainText("agent.actionsLastMinute");
  await expect(page.getByTestId("rule-context")).toContainText("inCalendar");

  await page.getByRole("button", { name: "Add a rule" }).click();
  const rule = page.getByTestId("rule").last();
  await rule.getByLabel(/: name$/).fill(RULE);
  await rule.getByLabel("Description (optional)").fill("the 2pm-on-a-Tuesday rule");
  // A typo is named, with its position, as it is typed.
  await rule.getByLabel("When (CEL condition)").fill('tool.name == "db.restart" && resourse.startsWith("prod/")');
  await expect(rule.getByTestId("condition-check")).toContainText("unknown name resourse");
  await expect(rule.getByTestId("condition-check")).toContainText("line 1, column 30");
  await rule.getByLabel("When (CEL condition)").fill(CONDITION);
  await expect(rule.getByTestId("condition-check")).toHaveText("✓ The condition compiles.");
  await expect(rule.getByLabel("Then the action")).toHaveValue("require_approval");

  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await rule.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `test-results/screens/policies-rules-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // Replay: the earlier restart is judged at the time it was proposed.
  const save = page.getByRole("button", { name: `Save as version ${version + 1}` });
  await expect(save).toBeDisabled();
  await page.getByRole("button", { name: "Preview the effect" }).click();
  await expect(page.getByTestId("replay-counts")).toBeVisible();
  const replayedRow = page.getByRole("row").filter({ hasText: "restart the database (before the rule)" });
  if (inBerlinBusinessHours(before) && inBerlinBusinessHours(after)) {
    await expect(replayedRow).toContainText(`rule “${RULE}”`);
    await expect(page.getByTestId("replay-rules")).toContainText(RULE);
  } else if (!inBerlinBusinessHours(before) && !inBerlinBusinessHours(after)) {
    await expect(replayedRow).toHaveCount(0);
  }

  await page.getByLabel("What changed and why").fill("db restarts wait for a human in Berlin business hours");
  await save.click();
  await expect(page.getByRole("heading", { name: `In force: version ${version + 1}` })).toBeVisible();
  await expect(page.getByTestId("rule").filter({ hasText: "✓ The condition compiles." }).last()).toBeVisible();
  await expect(page.getByTestId("policy-version").first()).toContainText("rules");

  // Tuesday 1 December 2026, 14:00 in Berlin: the restart waits, and the rule is the reason.
  await writeFile(TEST_CLOCK_FILE, "2026-12-01T13:00:00Z");
  const inside = await restart(request, key.secret, "Tuesday 14:00");
  expect(inside.decision).toBe("require_approval");
  expect(inside.reasons.find((r) => r.code === "rule_matched")).toMatchObject({ rule: RULE });

  // The same Tuesday at 20:00 in Berlin: it runs.
  await writeFile(TEST_CLOCK_FILE, "2026-12-01T19:00:00Z");
  const outside = await restart(request, key.secret, "Tuesday 20:00");
  expect(outside.decision).toBe("auto_execute");

  // Saturday 14:00: it runs too.
  await writeFile(TEST_CLOCK_FILE, "2026-12-05T13:00:00Z");
  expect((await restart(request, key.secret, "Saturday 14:00")).decision).toBe("auto_execute");

  // The waiting restart is in the inbox, with the rule's words.
  await page.goto(`/actions/${inside.id}`);
  await expect(page.getByText(RULE).first()).toBeVisible();
});

test("a draft runs in shadow beside the policy, then is dropped; an approval grant lets the next identical step run", async ({ page, request }) => {
  const token = await adminToken();
  const auth = { Authorization: `Bearer ${token}` };
  const tool = `cache.flush-${Math.random().toString(36).slice(2, 6)}`;
  expect((await request.put(`/api/v1/tools/${tool}`, { headers: auth, data: { scopes: [], risk: "low" } })).status()).toBe(200);
  // The agent is registered by another person: its owner may not approve its calls in advance, so
  // the admin below, who approves with a grant, must not be the one who registered it.
  const owner = await adminToken(await createUser("admin"));
  const created = await request.post("/api/v1/agents", {
    headers: { Authorization: `Bearer ${owner}` },
    data: { name: `flusher-${Math.random().toString(36).slice(2, 6)}`, role: "specialist", team: "ops", tools: [tool] },
  });
  expect(created.status()).toBe(201);
  const { key } = (await created.json()) as { key: { secret: string } };
  const propose = async (action: string, confidence: number) => {
    const response = await request.post("/api/v1/actions", {
      headers: { Authorization: `Bearer ${key.secret}` },
      data: { action, tool, resource: "prod/cache", confidence },
    });
    expect(response.status()).toBe(201);
    return (await response.json()) as { id: string; decision: string; reasons: { code: string; message: string }[] };
  };

  await logIn(page);
  await page.goto("/policies");
  await page.getByRole("button", { name: "Add a rule" }).click();
  const rule = page.getByTestId("rule").last();
  await rule.getByLabel(/: name$/).fill(`flushes of ${tool} wait`);
  await rule.getByLabel("When (CEL condition)").fill(`tool.name == "${tool}"`);
  await expect(rule.getByTestId("condition-check")).toHaveText("✓ The condition compiles.");
  await page.getByLabel("What changed and why").fill("try the flush rule on live traffic");
  await page.getByRole("button", { name: "Run as shadow" }).click();
  await expect(page.getByTestId("shadow-panel")).toBeVisible();

  // The agent is answered by the policy in force; the shadow records the difference.
  expect((await propose("flush the cache", 0.99)).decision).toBe("auto_execute");
  const row = page.getByTestId("shadow-row").filter({ hasText: "flush the cache" });
  await expect(row).toContainText(`rule “flushes of ${tool} wait”`, { timeout: 15_000 });
  await expect(page.getByTestId("shadow-summary")).toContainText("more approval");
  await page.screenshot({ path: "test-results/screens/policies-shadow-1440.png", fullPage: true });
  await page.getByRole("button", { name: "Drop the shadow" }).click();
  await expect(page.getByTestId("shadow-panel")).toHaveCount(0);

  // A grant: approve one flush and the same tool on the same resource for 30 minutes.
  const first = await propose("flush the cache again", 0.5);
  expect(first.decision).toBe("require_approval");
  await page.goto("/inbox");
  await page.getByTestId("inbox-item").filter({ hasText: "flush the cache again" }).click();
  await page.getByLabel("Grant minutes").selectOption("30");
  await page.getByTestId("grant-approve").getByRole("button").click();
  await expect(page.getByTestId("inbox-notice")).toContainText("Approved");
  const next = await propose("flush the cache a third time", 0.5);
  expect(next.decision).toBe("execute_with_notification");
  expect(next.reasons.find((r) => r.code === "approval_grant")?.message).toContain("Approved in advance by");

  // Listed in /policies, and revoked there: the next one waits again.
  await page.goto("/policies");
  const grant = page.getByTestId("grant-row").filter({ hasText: tool });
  await expect(grant).toContainText("prod/cache");
  await grant.getByRole("button", { name: "Revoke" }).click();
  await expect(grant).toHaveCount(0);
  expect((await propose("flush the cache a fourth time", 0.5)).decision).toBe("require_approval");
});
