import { expect, test, type Page } from "@playwright/test";
import { exitOf, freshCopy, install, printedAdminPassword, run, start, type FreshCopy, type RunningWarden } from "../../scripts/fresh-warden";
import { adminToken } from "../support/api";
import { DEFAULT_PATH_PORT } from "../support/constants";
import { logIn } from "../support/helpers";
import { simulateAgent } from "../support/simulated-agent";

/**
 * The README's two commands as a newcomer runs them: a fresh copy of the repository, `npm ci`,
 * `npm start` with no DATABASE_URL (so the embedded PostgreSQL), then the core journeys in
 * Chromium, a restart, and a load of 50 agents, with the server log read for errors throughout.
 */
test.describe.configure({ mode: "serial" });

let copy: FreshCopy;
let warden: RunningWarden;
let admin: { email: string; password: string };
const base = `http://127.0.0.1:${DEFAULT_PATH_PORT}`;
const TOOL = "docker.container";
const AGENT = "ops-newcomer";
let agentKey = "";
let actionId = "";

/** Lines of the server's output that report a failure (none are expected on this path). */
function errorLines(output: string): string[] {
  return output.split("\n").filter((line) => /\b(error|failed|exception|unhandled|ECONNREFUSED|deadlock)\b/i.test(line));
}

test.beforeAll(async ({}, testInfo) => {
  testInfo.setTimeout(900_000);
  copy = freshCopy();
  await install(copy);
  warden = await start(copy, DEFAULT_PATH_PORT);
  admin = printedAdminPassword(warden.output());
  expect(warden.output()).toContain("embedded PostgreSQL");
});

test.afterAll(async () => {
  if (warden?.process.exitCode === null) await warden.interrupt();
  if (copy && !process.env.WARDEN_KEEP_NEWCOMER_COPY) copy.remove();
});

async function signIn(page: Page) {
  await logIn(page, admin);
}

test("a script signs in with the printed password as curl would (next-auth's CSRF cookie, no Origin header)", async () => {
  const cookies: string[] = [];
  const keep = (response: Response) => cookies.push(...response.headers.getSetCookie().map((c) => c.split(";")[0]!));
  const csrf = await fetch(`${base}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const signIn = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, email: admin.email, password: admin.password }).toString(),
  });
  expect(signIn.status, await signIn.clone().text()).toBe(302);
  keep(signIn);
  const session = (await (await fetch(`${base}/api/auth/session`, { headers: { cookie: cookies.join("; ") } })).json()) as { user?: { email: string } } | null;
  expect(session?.user?.email).toBe(admin.email);
});

test("a newcomer signs in with the printed password and registers a tool and an agent in Settings", async ({ page }) => {
  await signIn(page);
  await page.goto("/settings/tools");
  await page.getByRole("button", { name: "Register tool" }).click();
  const toolForm = page.getByRole("form", { name: "Tool" });
  await toolForm.getByLabel("Name").fill(TOOL);
  await toolForm.getByLabel("Resource scopes").fill("staging/*");
  await toolForm.getByLabel("Reversible (registers an undo)").check();
  await toolForm.getByRole("button", { name: "Save tool" }).click();
  await expect(page.getByTestId(`tool-row-${TOOL}`)).toBeVisible();

  await page.goto("/settings/agents");
  await page.getByTestId("register-agent").click();
  const form = page.getByRole("form", { name: "Register an agent" });
  await form.getByLabel("Name").fill(AGENT);
  await form.getByLabel("Team").fill("ops");
  await form.getByLabel("Capabilities").fill("containers");
  await form.getByLabel("Tools").fill(TOOL);
  await form.getByLabel("Resource scopes").fill("staging/*");
  await form.getByRole("button", { name: "Register and issue key" }).click();
  await expect(page.getByTestId("secret-value")).toContainText("wdn_agent_");
  agentKey = (await page.getByTestId("secret-value").textContent())!.trim();
  await expect(page.getByTestId(`agent-row-${AGENT}`)).toContainText(TOOL);
});

test("the agent proposes docker rm cache at 0.99 and waits; the approver approves from the keyboard; the agent gets the approval", async ({
  page,
  request,
}) => {
  const auth = { Authorization: `Bearer ${agentKey}` };
  const proposed = await request.post("/api/v1/actions", {
    headers: auth,
    data: {
      action: "docker rm cache",
      tool: TOOL,
      resource: "staging/cache",
      confidence: 0.99,
      args: { container: "cache" },
      reversible: true,
      undo: { tool: TOOL, args: { container: "cache", restore: true } },
    },
  });
  expect(proposed.status()).toBe(201);
  const proposal = (await proposed.json()) as { id: string; decision: string };
  expect(proposal.decision).toBe("require_approval");
  actionId = proposal.id;
  const waiting = request.get(`/api/v1/actions/${actionId}/wait?timeoutSeconds=60`, { headers: auth, timeout: 70_000 });

  await signIn(page);
  await page.goto("/inbox");
  await page.getByTestId("inbox-item").filter({ hasText: "docker rm cache" }).click();
  await page.keyboard.press("a");
  await expect(page.getByTestId("inbox-notice")).toContainText("Approved");

  const decided = (await (await waiting).json()) as { status: string; approvedArgs: Record<string, unknown> };
  expect(decided.status).toBe("approved");
  expect(decided.approvedArgs).toEqual({ container: "cache" });
  // It ran (its undo was registered with the proposal).
  const reported = await request.post(`/api/v1/actions/${actionId}/result`, { headers: auth, data: { status: "succeeded", output: { removed: "cache" } } });
  expect(reported.status()).toBe(200);
});

test("the operator suspends, then kills with rollback from /control, and the agent is told both and handed the undo", async ({ page }) => {
  const agent = simulateAgent(base, agentKey);
  await agent.waitFor((e) => e.event === "control");
  await signIn(page);
  await page.goto("/control");
  await page.getByLabel("Reason").fill("newcomer drill");
  await page.getByRole("button", { name: "suspend", exact: true }).click();
  await page.getByLabel("Confirmation").fill("suspend fleet");
  await page.getByRole("button", { name: "Confirm suspend" }).click();
  await expect(page.getByTestId("fleet-state")).toContainText("suspended");
  await agent.waitFor((e) => e.event === "control" && e.data.state === "suspended");

  await page.getByRole("button", { name: "Kill…" }).click();
  const plan = page.getByTestId("kill-plan");
  await expect(plan).toContainText("docker rm cache");
  const token = (await page.getByTestId("kill-token").textContent())!.trim();
  await page.getByLabel("Kill confirmation").fill(token);
  await plan.getByRole("button", { name: /^Kill / }).click();
  await expect(page.getByTestId("fleet-state")).toContainText("killed");
  await agent.waitFor((e) => e.event === "control" && e.data.state === "killed");
  const order = await agent.waitFor((e) => e.event === "rollback");
  expect(order.data).toMatchObject({ actionId, undo: { tool: TOOL, args: { container: "cache", restore: true } } });
  await agent.stop();
  expect(errorLines(warden.output())).toEqual([]);
});

test("Ctrl-C stops Warden within 5 s, and after a restart everything is still there", async ({ page, request }) => {
  // An agent holds its event stream open, as agents do, while the operator presses Ctrl-C.
  const agent = simulateAgent(base, agentKey);
  await agent.waitFor((e) => e.event === "control");
  const stopped = await warden.interrupt();
  expect(stopped.ms).toBeLessThan(5_000);
  expect(warden.output()).toContain("warden: stopped");
  await agent.stop();

  // A second `npm start` on the same data folder while one runs must refuse: tried below on the
  // restarted one. First the restart itself, with no first-start admin this time.
  warden = await start(copy, DEFAULT_PATH_PORT, 120_000);
  expect(warden.output()).not.toContain("First start");
  const second = run(copy, "npm", ["start"], { PORT: String(DEFAULT_PATH_PORT + 1) });
  let secondOutput = "";
  second.stderr!.on("data", (chunk: Buffer) => (secondOutput += chunk.toString()));
  second.stdout!.on("data", (chunk: Buffer) => (secondOutput += chunk.toString()));
  expect(await exitOf(second)).not.toBe(0);
  expect(secondOutput).toContain("is in use by a Warden server");
  expect(secondOutput).not.toContain("ready");

  await signIn(page);
  await page.goto("/control");
  await expect(page.getByTestId("fleet-state")).toContainText("killed");
  await page.goto("/settings/agents");
  await expect(page.getByTestId(`agent-row-${AGENT}`)).toContainText(TOOL);
  const action = await request.get(`/api/v1/actions/${actionId}`, { headers: { Authorization: `Bearer ${agentKey}` } });
  expect(((await action.json()) as { status: string }).status).toMatch(/succeeded|rolled_back/);
  await page.goto("/audit");
  await page.getByTestId("verify-chain").click();
  await expect(page.getByTestId("verify-result")).toContainText("Intact");
});

test("50 agents proposing at once for 30 s get no 5xx, and the server log has no error", async ({ request }) => {
  test.setTimeout(240_000);
  const token = await adminToken(admin, base);
  const auth = { Authorization: `Bearer ${token}` };
  expect((await request.post("/api/v1/control/resume", { headers: auth, data: { reason: "drill over" } })).status()).toBe(200);
  for (const tool of ["svc.restart", "svc.deploy"]) {
    expect((await request.put(`/api/v1/tools/${tool}`, { headers: auth, data: { scopes: ["staging/*"] } })).status()).toBe(200);
  }
  const keys: string[] = [];
  for (let i = 0; i < 50; i++) {
    const created = await request.post("/api/v1/agents", {
      headers: auth,
      data: {
        name: `load-${i}`,
        role: "specialist",
        team: `team-${i % 5}`,
        capabilities: ["ops"],
        tools: ["svc.restart", "svc.deploy"],
        scopes: ["staging/*"],
      },
    });
    expect(created.status()).toBe(201);
    keys.push(((await created.json()) as { key: { secret: string } }).key.secret);
  }
  const statuses = new Map<number, number>();
  const until = Date.now() + 30_000;
  let n = 0;
  await Promise.all(
    keys.map(async (key, i) => {
      while (Date.now() < until) {
        const call = n++;
        // Shared words and failures, so the agents recall one another's lessons as a fleet does.
        const response = await fetch(`${base}/api/v1/actions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({
            action: `restart web-${call % 7}`,
            tool: call % 3 ? "svc.restart" : "svc.deploy",
            resource: `staging/web-${call % 7}`,
            confidence: 0.5 + (call % 50) / 100,
          }),
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const body = (await response.json()) as { id?: string; decision?: string };
        if (response.status === 201 && body.decision !== "require_approval" && body.decision !== "deny" && call % 4 === 0) {
          await fetch(`${base}/api/v1/actions/${body.id}/result`, {
            method: "POST",
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            body: JSON.stringify({ status: "failed", error: "exit 1", failureReason: `web-${call % 7} did not come back (agent ${i})` }),
          });
        }
      }
    }),
  );
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  const serverErrors = [...statuses].filter(([status]) => status >= 500).reduce((a, [, count]) => a + count, 0);
  console.log(
    `default path: ${total} proposals from 50 agents in 30 s (${(total / 30).toFixed(0)}/s); statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
  );
  expect(serverErrors, `server log:\n${errorLines(warden.output()).slice(0, 30).join("\n")}`).toBe(0);
  expect(statuses.get(201) ?? 0).toBeGreaterThan(500);
  expect(errorLines(warden.output())).toEqual([]);
});
