import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { actionResultRoute } from "../../server/actions/action-routes";
import { appRouter } from "../../server/api/root";
import { createBudget } from "../../server/cost/budgets";
import { costSeries } from "../../server/cost/cost-series";
import { putModelPrice } from "../../server/cost/prices";
import { rollUpUsage } from "../../server/cost/roll-up-usage";
import { topTasksByCost } from "../../server/cost/top-tasks";
import { createBudgetRoute, deletePriceRoute, listBudgetsRoute, putPriceRoute, recordUsageRoute } from "../../server/cost/cost-routes";
import { migrate } from "../../server/db/migrate";
import { buildOpenApiDocument } from "../../server/http/openapi";
import { API_ROUTES } from "../../server/http/api-routes";
import { createWebhook } from "../../server/notifications/webhooks";
import { claimTaskRoute, completeTaskRoute, createTaskRoute } from "../../server/tasks/task-routes";
import { auditRows, call, db, makeAgent, makeUser, makeUserWithToken, unique } from "../support/fixtures";
import { makeTool, propose } from "../support/guardrail-fixtures";
import { createFreshDatabase } from "../support/test-database";

const postUsage = (key: string, body: unknown, headers: Record<string, string> = {}) => call(recordUsageRoute, { token: key, body, headers });
const today = () => new Date().toISOString().slice(0, 10);
const monthStart = () => `${today().slice(0, 7)}-01`;

/** An agent granted one tool, optionally in a given team, with its key. */
async function agentWithTool(team = "ops", capabilities: string[] = []) {
  const tool = await makeTool({ scopes: [] });
  const { agent, key } = await makeAgent({ tools: [tool.name], team, capabilities });
  return { agent, key: key.secret, tool: tool.name };
}

async function budgetFor(scope: "agent" | "team", target: string, limitUsd: number, period: "day" | "month" = "day") {
  const admin = await makeUser("admin");
  return createBudget(db, admin, { scope, target, period, limitUsd } as Parameters<typeof createBudget>[2]);
}

async function counters(agentId: string) {
  const rows = await db.spendCounter.findMany({ where: { agentId }, orderBy: { period: "asc" } });
  return Object.fromEntries(rows.map((r) => [`${r.period}:${r.periodStart.toISOString().slice(0, 10)}`, Number(r.usd)]));
}

const alertsFor = (subject: string) => db.metricAlert.findMany({ where: { subject }, orderBy: { id: "asc" } });
const scopeState = (kind: "agent" | "team", key: string) => db.controlScope.findUnique({ where: { kind_key: { kind, key } } });

describe("agent budgets", () => {
  it("warns once at 80%, pauses at 100% with reason budget, and the paused agent's next decision is deny", async () => {
    const admin = await makeUser("admin");
    const hook = await createWebhook(db, admin, { url: "http://127.0.0.1:9/never-called", events: ["metrics.alert"] });
    const { agent, key, tool } = await agentWithTool();
    await budgetFor("agent", agent.id, 10);

    expect((await postUsage(key, { model: "m", inputTokens: 10, outputTokens: 10, usd: 8.5 })).status).toBe(201);
    expect((await alertsFor(agent.id)).map((a) => a.rule)).toEqual(["budget_warning"]);
    // Still above 80%, still under 100%: no second warning.
    expect((await postUsage(key, { model: "m", inputTokens: 10, outputTokens: 10, usd: 0.5 })).status).toBe(201);
    expect((await alertsFor(agent.id)).map((a) => a.rule)).toEqual(["budget_warning"]);
    expect(await scopeState("agent", agent.id)).toBeNull();
    expect((await propose(key, { tool, confidence: 0.99 })).json.decision).toBe("auto_execute");

    expect((await postUsage(key, { model: "m", inputTokens: 10, outputTokens: 10, usd: 1.5 })).status).toBe(201);
    expect(await counters(agent.id)).toEqual({ [`day:${today()}`]: 10.5, [`month:${monthStart()}`]: 10.5 });
    const alerts = await alertsFor(agent.id);
    expect(alerts.map((a) => a.rule)).toEqual(["budget_warning", "budget_exceeded"]);
    expect(alerts[1]!.periodKey).toBe(`${today()}@10`);
    expect(await scopeState("agent", agent.id)).toMatchObject({ state: "paused", reason: "budget" });
    const pauses = await auditRows({ verb: "control.pause", subjectId: `agent:${agent.id}` });
    expect(pauses).toHaveLength(1);
    expect(pauses[0]).toMatchObject({ actorType: "system", data: expect.objectContaining({ reason: "budget", automatic: true }) });

    const denied = await propose(key, { tool, confidence: 0.99 });
    expect(denied.status).toBe(201);
    expect(denied.json.decision).toBe("deny");
    expect(denied.json.reasons[0]).toMatchObject({ code: "control_paused" });

    const notes = await db.notification.findMany({ where: { agentId: agent.id, kind: "metrics.alert" }, orderBy: { createdAt: "asc" } });
    expect(notes.map((n) => n.title)).toEqual([
      `Budget warning: agent ${agent.name} has spent 85% of its daily budget`,
      `Budget exceeded: agent ${agent.name} paused`,
    ]);
    const deliveries = await db.webhookDelivery.findMany({ where: { webhookId: hook.id } });
    const mine = deliveries.map((d) => d.payload as { rule: string; subject: string }).filter((p) => p.subject === agent.id);
    expect(mine.map((p) => p.rule).sort()).toEqual(["budget_exceeded", "budget_warning"]);

    // More spend in the same period neither alerts nor pauses again.
    await postUsage(key, { model: "m", inputTokens: 1, outputTokens: 1, usd: 3 });
    expect(await alertsFor(agent.id)).toHaveLength(2);
    expect(await auditRows({ verb: "control.pause", subjectId: `agent:${agent.id}` })).toHaveLength(1);
    await db.webhook.update({ where: { id: hook.id }, data: { active: false } });
  });

  it("money on an action result and on a task completion counts toward the budget", async () => {
    const capability = unique("cap").toLowerCase();
    const { agent, key, tool } = await agentWithTool("ops", [capability]);
    await budgetFor("agent", agent.id, 5);
    const action = await propose(key, { tool, confidence: 0.99 });
    expect((await call(actionResultRoute, { token: key, params: { id: action.json.id }, body: { status: "succeeded", cost: 2 } })).status).toBe(200);
    expect(await counters(agent.id)).toMatchObject({ [`day:${today()}`]: 2 });

    const operator = await makeUserWithToken("operator");
    await call(createTaskRoute, { token: operator.token, body: { title: "summarize", capability } });
    const claimed = await call(claimTaskRoute, { token: key, body: { waitSeconds: 0 } });
    expect(claimed.status).toBe(200);
    const done = await call(completeTaskRoute, { token: key, params: { id: claimed.json.task.id }, body: { cost: 3.25 } });
    expect(done.status).toBe(200);
    expect(await counters(agent.id)).toMatchObject({ [`day:${today()}`]: 5.25, [`month:${monthStart()}`]: 5.25 });
    expect(await scopeState("agent", agent.id)).toMatchObject({ state: "paused", reason: "budget" });
  });

  it("raising the limit re-arms the budget for the same period", async () => {
    const { agent, key } = await agentWithTool();
    const { id } = await budgetFor("agent", agent.id, 1);
    await postUsage(key, { model: "m", inputTokens: 0, outputTokens: 0, usd: 1 });
    expect(await scopeState("agent", agent.id)).toMatchObject({ state: "paused" });
    const admin = await makeUser("admin");
    const caller = appRouter.createCaller({ db, user: admin, ip: null });
    await caller.cost.updateBudget({ id, limitUsd: 2 });
    await caller.control.change({ scope: `agent:${agent.id}`, level: "resume", reason: "raised the budget" });
    await postUsage(key, { model: "m", inputTokens: 0, outputTokens: 0, usd: 1 });
    expect(await scopeState("agent", agent.id)).toMatchObject({ state: "paused", reason: "budget" });
    expect((await alertsFor(agent.id)).filter((a) => a.rule === "budget_exceeded").map((a) => a.periodKey)).toEqual([`${today()}@1`, `${today()}@2`]);
    expect(await auditRows({ verb: "budget.update", subjectId: id })).toHaveLength(1);
  });
});

describe("team budgets", () => {
  it("a team's spend over its budget pauses the team", async () => {
    const team = unique("team").toLowerCase();
    const a = await agentWithTool(team);
    const b = await agentWithTool(team);
    await budgetFor("team", team, 5);
    await postUsage(a.key, { model: "m", inputTokens: 0, outputTokens: 0, usd: 3 });
    expect(await scopeState("team", team)).toBeNull();
    expect((await alertsFor(`team:${team}`)).map((x) => x.rule)).toEqual([]);
    await postUsage(b.key, { model: "m", inputTokens: 0, outputTokens: 0, usd: 1.5 });
    expect((await alertsFor(`team:${team}`)).map((x) => x.rule)).toEqual(["budget_warning"]);
    await postUsage(b.key, { model: "m", inputTokens: 0, outputTokens: 0, usd: 1 });
    expect(await scopeState("team", team)).toMatchObject({ state: "paused", reason: "budget" });
    expect((await alertsFor(`team:${team}`)).map((x) => x.rule)).toEqual(["budget_warning", "budget_exceeded"]);
    // Both agents are stopped by the team scope, not only the one whose event crossed.
    expect((await propose(a.key, { tool: a.tool, confidence: 0.99 })).json.decision).toBe("deny");
    expect((await propose(b.key, { tool: b.tool, confidence: 0.99 })).json.decision).toBe("deny");
    expect(await scopeState("agent", a.agent.id)).toBeNull();
    expect(await auditRows({ verb: "control.pause", subjectId: `team:${team}` })).toHaveLength(1);
  });
});

describe("the price table", () => {
  it("turns tokens into money when the agent sent none; without a price the event is stored unpriced", async () => {
    const admin = await makeUser("admin");
    const model = unique("model-x");
    await putModelPrice(db, admin, { model, inputUsdPerMillion: 3, outputUsdPerMillion: 15 });
    const { agent, key } = await agentWithTool();

    const priced = await postUsage(key, { model, inputTokens: 1000, outputTokens: 2000 });
    expect(priced.status).toBe(201);
    expect(priced.json).toMatchObject({ model, usd: 0.033, priced: true, usdSource: "price_table", reportedUsd: null, agentId: agent.id });

    const reported = await postUsage(key, { model, inputTokens: 1000, outputTokens: 2000, usd: 0.5 });
    expect(reported.json).toMatchObject({ usd: 0.5, reportedUsd: 0.5, usdSource: "reported" });

    const unknownModel = unique("no-price");
    const unpriced = await postUsage(key, { model: unknownModel, inputTokens: 500, outputTokens: 70 });
    expect(unpriced.status).toBe(201);
    expect(unpriced.json).toMatchObject({ usd: null, priced: false, usdSource: "unpriced" });
    const stored = await db.usageEvent.findUniqueOrThrow({ where: { id: BigInt(unpriced.json.id) } });
    expect(stored).toMatchObject({ usd: null, reportedUsd: null, inputTokens: 500, outputTokens: 70 });
    // The unpriced event adds no money.
    expect(await counters(agent.id)).toEqual({ [`day:${today()}`]: 0.533, [`month:${monthStart()}`]: 0.533 });
    const caller = appRouter.createCaller({ db, user: admin, ip: null });
    expect(await caller.cost.unpricedModels()).toEqual(expect.arrayContaining([expect.objectContaining({ model: unknownModel, events: 1 })]));

    // A price change applies from then on; past events keep what they were counted with.
    await caller.cost.putPrice({ model, inputUsdPerMillion: 6, outputUsdPerMillion: 30 });
    expect(Number((await db.usageEvent.findUniqueOrThrow({ where: { id: BigInt(priced.json.id) } })).usd)).toBe(0.033);
    expect((await auditRows({ verb: "price.update", subjectId: model }))[0]?.data).toMatchObject({ inputUsdPerMillion: 6, before: { inputUsdPerMillion: 3 } });
    await caller.cost.deletePrice({ model });
    expect(await auditRows({ verb: "price.delete", subjectId: model })).toHaveLength(1);
    expect((await postUsage(key, { model, inputTokens: 1, outputTokens: 1 })).json.priced).toBe(false);
  });

  it("only admins change prices and budgets; viewers read them", async () => {
    const viewer = await makeUser("viewer");
    const caller = appRouter.createCaller({ db, user: viewer, ip: null });
    await expect(caller.cost.putPrice({ model: "x", inputUsdPerMillion: 1, outputUsdPerMillion: 1 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(caller.cost.createBudget({ scope: "team", target: "ops", period: "day", limitUsd: 1 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(Array.isArray(await caller.cost.prices())).toBe(true);
    expect(Array.isArray(await caller.cost.budgets())).toBe(true);
  });
});

describe("prices and budgets as code (admin tokens)", () => {
  it("sets a price and a budget over HTTP, validating the target and refusing duplicates and lower roles", async () => {
    const admin = await makeUserWithToken("admin");
    const viewer = await makeUserWithToken("viewer");
    const { agent, key } = await agentWithTool();
    const model = unique("api-model");
    const price = await call(putPriceRoute, { token: admin.token, body: { model, inputUsdPerMillion: 1, outputUsdPerMillion: 2 } });
    expect(price.status).toBe(200);
    expect(price.json.price).toMatchObject({ model, inputUsdPerMillion: 1, outputUsdPerMillion: 2, updatedBy: admin.user.email });
    expect((await call(putPriceRoute, { token: viewer.token, body: { model, inputUsdPerMillion: 0, outputUsdPerMillion: 0 } })).status).toBe(403);

    const badTarget = await call(createBudgetRoute, { token: admin.token, body: { scope: "team", target: unique("empty"), period: "day", limitUsd: 5 } });
    expect(badTarget.status).toBe(400);
    expect(badTarget.json.error.details[0].field).toBe("target");
    const badLimit = await call(createBudgetRoute, { token: admin.token, body: { scope: "agent", target: agent.id, period: "week", limitUsd: 0 } });
    expect(badLimit.status).toBe(400);
    expect(badLimit.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual(["limitUsd", "period"]);
    const created = await call(createBudgetRoute, { token: admin.token, body: { scope: "agent", target: agent.id, period: "month", limitUsd: 5 } });
    expect(created.status).toBe(201);
    const duplicate = await call(createBudgetRoute, { token: admin.token, body: { scope: "agent", target: agent.id, period: "month", limitUsd: 9 } });
    expect(duplicate.status).toBe(409);
    expect(await auditRows({ verb: "budget.create", subjectId: created.json.id })).toHaveLength(1);

    await postUsage(key, { model, inputTokens: 1_000_000, outputTokens: 500_000 });
    const listed = await call(listBudgetsRoute, { token: viewer.token });
    expect(listed.json.budgets.find((b: { id: string }) => b.id === created.json.id)).toMatchObject({
      scope: "agent",
      targetLabel: agent.name,
      period: "month",
      limitUsd: 5,
      spentUsd: 2,
      periodStart: monthStart(),
      state: "running",
    });
    expect((await call(deletePriceRoute, { token: admin.token, query: { model } })).status).toBe(200);
    expect((await call(deletePriceRoute, { token: admin.token, query: { model } })).status).toBe(404);
    const paths = Object.keys(buildOpenApiDocument(API_ROUTES, "http://warden.test").paths);
    expect(paths).toEqual(expect.arrayContaining(["/api/v1/usage", "/api/v1/prices", "/api/v1/budgets", "/api/v1/budgets/{id}"]));
  });
});

describe("concurrent spend", () => {
  it("20 concurrent events of one agent: counters hold the exact sum, one warning, one alert, one pause", async () => {
    const { agent, key } = await agentWithTool();
    await budgetFor("agent", agent.id, 15);
    const answers = await Promise.all(Array.from({ length: 20 }, () => postUsage(key, { model: "m", inputTokens: 1, outputTokens: 1, usd: 1.25 })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    expect(await counters(agent.id)).toEqual({ [`day:${today()}`]: 25, [`month:${monthStart()}`]: 25 });
    expect((await alertsFor(agent.id)).map((a) => a.rule).sort()).toEqual(["budget_exceeded", "budget_warning"]);
    expect(await auditRows({ verb: "control.pause", subjectId: `agent:${agent.id}` })).toHaveLength(1);
    expect(await db.controlEvent.count({ where: { kind: "agent", key: agent.id } })).toBe(1);
  });

  it("20 concurrent events across a team's agents: the team is paused exactly once", async () => {
    const team = unique("team").toLowerCase();
    const agents = await Promise.all(Array.from({ length: 4 }, () => agentWithTool(team)));
    await budgetFor("team", team, 15);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => postUsage(agents[i % 4]!.key, { model: "m", inputTokens: 1, outputTokens: 1, usd: 1 })),
    );
    expect(answers.every((a) => a.status === 201)).toBe(true);
    const sums = await Promise.all(agents.map((a) => counters(a.agent.id)));
    expect(sums.reduce((total, c) => total + (c[`day:${today()}`] ?? 0), 0)).toBe(20);
    expect((await alertsFor(`team:${team}`)).map((a) => a.rule).sort()).toEqual(["budget_exceeded", "budget_warning"]);
    expect(await auditRows({ verb: "control.pause", subjectId: `team:${team}` })).toHaveLength(1);
  });
});

describe("bad usage input", () => {
  it("answers 400 or 404/409 naming the field, and stores nothing", async () => {
    const { agent, key } = await agentWithTool();
    const fields = (r: { json: { error: { details: { field: string }[] } } }) => r.json.error.details.map((d) => d.field);

    const negative = await postUsage(key, { model: "m", inputTokens: -1, outputTokens: 5 });
    expect(negative.status).toBe(400);
    expect(fields(negative)).toEqual(["inputTokens"]);
    expect(negative.json.error.message).toMatch(/inputTokens: must not be negative/);

    const noModel = await postUsage(key, { inputTokens: 1, outputTokens: 1 });
    expect(noModel.status).toBe(400);
    expect(fields(noModel)).toEqual(["model"]);

    const several = await postUsage(key, { model: "x".repeat(200), inputTokens: 1.5, outputTokens: 1, usd: -2 });
    expect(several.status).toBe(400);
    expect(fields(several).sort()).toEqual(["inputTokens", "model", "usd"]);

    const unknownTask = await postUsage(key, { model: "m", inputTokens: 1, outputTokens: 1, taskId: "00000000-0000-4000-8000-000000000000" });
    expect(unknownTask.status).toBe(404);
    expect(fields(unknownTask)).toEqual(["taskId"]);

    // A task this agent neither holds nor created.
    const operator = await makeUserWithToken("operator");
    const foreign = await call(createTaskRoute, { token: operator.token, body: { title: "not yours", capability: unique("cap").toLowerCase() } });
    const foreignTask = await postUsage(key, { model: "m", inputTokens: 1, outputTokens: 1, taskId: foreign.json.task.id });
    expect(foreignTask.status).toBe(409);
    expect(fields(foreignTask)).toEqual(["taskId"]);

    // Another agent's action is as unknown as a missing one.
    const other = await agentWithTool();
    const othersAction = await propose(other.key, { tool: other.tool, confidence: 0.99 });
    const foreignAction = await postUsage(key, { model: "m", inputTokens: 1, outputTokens: 1, actionId: othersAction.json.id });
    expect(foreignAction.status).toBe(404);
    expect(fields(foreignAction)).toEqual(["actionId"]);

    expect(await db.usageEvent.count({ where: { agentId: agent.id } })).toBe(0);
    expect(await db.spendCounter.count({ where: { agentId: agent.id } })).toBe(0);
  });

  it("a retried request with the same Idempotency-Key stores one event and counts its money once", async () => {
    const { agent, key } = await agentWithTool();
    const headers = { "idempotency-key": unique("usage") };
    const first = await postUsage(key, { model: "m", inputTokens: 3, outputTokens: 4, usd: 0.25 }, headers);
    const again = await postUsage(key, { model: "m", inputTokens: 3, outputTokens: 4, usd: 0.25 }, headers);
    expect(first.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.json.id).toBe(first.json.id);
    expect(await db.usageEvent.count({ where: { agentId: agent.id } })).toBe(1);
    expect(await counters(agent.id)).toMatchObject({ [`day:${today()}`]: 0.25 });
  });
});

describe("the usage rollup and the cost queries", () => {
  it("folds events into usage_days matching the raw sums, and a second (or concurrent) run adds nothing twice", async () => {
    const capability = unique("cap").toLowerCase();
    const one = await agentWithTool("ops", [capability]);
    const two = await agentWithTool();
    const operator = await makeUserWithToken("operator");
    await call(createTaskRoute, { token: operator.token, body: { title: "costly", capability } });
    const task = (await call(claimTaskRoute, { token: one.key, body: { waitSeconds: 0 } })).json.task;
    const model = unique("roll");
    for (let i = 1; i <= 6; i++) {
      await postUsage(one.key, { model, inputTokens: 100 * i, outputTokens: 10 * i, usd: 0.1 * i, ...(i <= 3 ? { taskId: task.id } : {}) });
    }
    await postUsage(two.key, { model, inputTokens: 7, outputTokens: 9 });
    await postUsage(two.key, { model, inputTokens: 1, outputTokens: 1, usd: 0.01 });
    const ids = [one.agent.id, two.agent.id];

    // Before any rollup the day series already counts the unfolded tail.
    const window = { from: new Date(Date.now() - 3600_000), to: new Date(Date.now() + 60_000), agentIds: ids };
    const before = await costSeries(db, { ...window, bucket: "day" });

    await Promise.all([rollUpUsage(db), rollUpUsage(db)]);
    const raw = await db.$queryRaw<{ agent_id: string; events: number; input: number; output: number; usd: number; unpriced: number }[]>`
      SELECT agent_id::text, count(*)::int AS events, sum(input_tokens)::float8 AS input, sum(output_tokens)::float8 AS output,
             coalesce(sum(usd), 0)::float8 AS usd, (count(*) FILTER (WHERE usd IS NULL))::int AS unpriced
        FROM usage_events WHERE model = ${model} GROUP BY agent_id ORDER BY agent_id`;
    const folded = async () =>
      (await db.usageDay.findMany({ where: { model }, orderBy: { agentId: "asc" } })).map((d) => ({
        agent_id: d.agentId,
        events: d.events,
        input: Number(d.inputTokens),
        output: Number(d.outputTokens),
        usd: Number(d.usd),
        unpriced: d.unpricedEvents,
      }));
    expect(await folded()).toEqual(raw);
    expect(raw.find((r) => r.agent_id === one.agent.id)).toMatchObject({ events: 6, input: 2100, output: 210 });
    expect(raw.find((r) => r.agent_id === two.agent.id)).toMatchObject({ events: 2, unpriced: 1 });

    const again = await rollUpUsage(db);
    expect(again.folded).toBe(0);
    expect(await folded()).toEqual(raw);

    // The series reads the rollup now, and says the same as it did from the raw tail.
    const after = await costSeries(db, { ...window, bucket: "day" });
    expect(after).toEqual(before);
    const mine = after.filter((r) => r.model === model && r.agentId === one.agent.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.usd).toBeCloseTo(2.1, 6);
    const hourly = await costSeries(db, { ...window, bucket: "hour" });
    expect(hourly.filter((r) => r.model === model).reduce((s, r) => s + r.events, 0)).toBe(8);
    await expect(costSeries(db, { from: new Date(Date.now() - 72 * 3600_000), to: new Date(), bucket: "hour" })).rejects.toMatchObject({
      details: [{ field: "bucket" }],
    });

    const top = await topTasksByCost(db, window, 5);
    expect(top[0]).toMatchObject({ taskId: task.id, events: 3, inputTokens: 600, agentIds: [one.agent.id] });
    expect(top[0]!.usd).toBeCloseTo(0.6, 6);
  });

  it("the day series includes costs reported on action results", async () => {
    const { agent, key, tool } = await agentWithTool();
    const action = await propose(key, { tool, confidence: 0.99 });
    await call(actionResultRoute, { token: key, params: { id: action.json.id }, body: { status: "succeeded", cost: 0.75 } });
    const series = await costSeries(db, { from: new Date(Date.now() - 3600_000), to: new Date(Date.now() + 60_000), agentIds: [agent.id], bucket: "day" });
    expect(series).toEqual([expect.objectContaining({ agentId: agent.id, model: "(action results)", usd: 0.75, events: 1 })]);
  });
});

describe("the migration that moved agents' daily budgets into budgets", () => {
  it("copies each non-null budget_usd_per_day into an agent/day budget before dropping the column", async ({ skip }) => {
    const url = await createFreshDatabase("warden_test_cost_migration");
    if (!url) skip();
    const all = path.join(process.cwd(), "prisma/migrations");
    const earlier = mkdtempSync(path.join(tmpdir(), "warden-migrations-"));
    try {
      for (const name of readdirSync(all).filter((n) => n <= "20261124032030_metrics"))
        cpSync(path.join(all, name), path.join(earlier, name), { recursive: true });
      await migrate(url!, earlier);
      const client = new pg.Client({ connectionString: url! });
      await client.connect();
      try {
        await client.query(`INSERT INTO agents (id, name, role, team, budget_usd_per_day, updated_at) VALUES
          ('11111111-1111-4111-8111-111111111111', 'with-budget', 'specialist', 'ops', 25.5, now()),
          ('22222222-2222-4222-8222-222222222222', 'without', 'specialist', 'ops', NULL, now())`);
        await migrate(url!);
        const budgets = await client.query(`SELECT scope::text, target, period::text, limit_usd::float8 AS limit FROM budgets`);
        expect(budgets.rows).toEqual([{ scope: "agent", target: "11111111-1111-4111-8111-111111111111", period: "day", limit: 25.5 }]);
        const column = await client.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'agents' AND column_name = 'budget_usd_per_day'`);
        expect(column.rowCount).toBe(0);
      } finally {
        await client.end();
      }
    } finally {
      rmSync(earlier, { recursive: true, force: true });
    }
  });
});
