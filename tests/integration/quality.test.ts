import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createCaller } from "../../server/api/root";
import { buildOpenApiDocument } from "../../server/http/openapi";
import { API_ROUTES } from "../../server/http/api-routes";
import { qualitySeries } from "../../server/quality/quality-series";
import { rateItem } from "../../server/quality/rate-item";
import { recordScoreRoute } from "../../server/quality/score-routes";
import { claimTaskRoute, createTaskRoute } from "../../server/tasks/task-routes";
import { auditRows, call, db, makeAgent, makeUser, makeUserWithToken, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

/** An action proposed (and auto-executed) by a fresh agent: the work being scored. */
async function makeAction() {
  const tool = await makeTool({ scopes: [] });
  const worker = await makeGrantedAgent([tool.name]);
  const proposed = await propose(worker.key, { tool: tool.name, confidence: 0.99 });
  expect(proposed.status).toBe(201);
  return { actionId: proposed.json.id as string, agentId: worker.agent.id };
}

/** A task claimed by a fresh agent (its assignee). */
async function makeClaimedTask() {
  const capability = unique("eval").toLowerCase();
  const { token } = await makeUserWithToken("operator");
  const created = await call(createTaskRoute, { token, body: { title: "summarise the incident", capability } });
  const { agent, key } = await makeAgent({ capabilities: [capability] });
  const claimed = await call(claimTaskRoute, { token: key.secret, body: {} });
  expect(claimed.json.task.id).toBe(created.json.task.id);
  return { taskId: created.json.task.id as string, agentId: agent.id };
}

async function evaluator() {
  const { agent, key } = await makeAgent({ name: unique("evaluator") });
  return { agent, key: key.secret };
}

describe("POST /api/v1/scores (evaluators)", () => {
  it("stores the score for the agent whose action it is, as an evaluator score, audited", async () => {
    const { actionId, agentId } = await makeAction();
    const judge = await evaluator();
    const response = await call(recordScoreRoute, { token: judge.key, body: { actionId, name: "correctness", value: 0.75, comment: "  right fix, slow  " } });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      actionId,
      taskId: null,
      agentId,
      name: "correctness",
      value: 0.75,
      comment: "right fix, slow",
      source: "evaluator",
      author: judge.agent.name,
    });
    const stored = await db.score.findUniqueOrThrow({ where: { id: response.json.id } });
    expect(stored).toMatchObject({ agentId, source: "evaluator", authorId: judge.agent.id, authorLabel: judge.agent.name });
    const [audit] = await auditRows({ verb: "score.record", subjectId: response.json.id });
    expect(audit).toMatchObject({ actorLabel: judge.agent.name, data: expect.objectContaining({ actionId, agentId, value: 0.75 }) });
  });

  it("takes a task's agent from its assignee, and accepts a person's token (a script)", async () => {
    const { taskId, agentId } = await makeClaimedTask();
    const { user, token } = await makeUserWithToken("viewer");
    const response = await call(recordScoreRoute, { token, body: { taskId, name: "helpfulness", value: 1 } });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ taskId, actionId: null, agentId, source: "evaluator", author: user.label });
  });

  it("rejects bad input with the field named, and stores nothing", async () => {
    const { actionId } = await makeAction();
    const { taskId } = await makeClaimedTask();
    const judge = await evaluator();
    const cases: [Record<string, unknown> | string, string][] = [
      [{ name: "correctness", value: 0.5 }, "taskId"],
      [{ taskId, actionId, name: "correctness", value: 0.5 }, "actionId"],
      [{ actionId, name: "Correct ness!", value: 0.5 }, "name"],
      [{ actionId, name: "", value: 0.5 }, "name"],
      [{ actionId, name: "correctness", value: 1.5 }, "value"],
      [{ actionId, name: "correctness", value: -0.1 }, "value"],
      [{ actionId, name: "correctness", value: "0.5" }, "value"],
      [{ actionId, name: "correctness" }, "value"],
      // JSON has no Infinity, but 1e999 parses to it.
      [`{"actionId": "${actionId}", "name": "correctness", "value": 1e999}`, "value"],
      [{ actionId, name: "correctness", value: 0.5, comment: "x".repeat(2001) }, "comment"],
      [{ actionId: "not-a-uuid", name: "correctness", value: 0.5 }, "actionId"],
    ];
    for (const [body, field] of cases) {
      const response = await call(recordScoreRoute, { token: judge.key, ...(typeof body === "string" ? { rawBody: body } : { body }) });
      expect(response.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(response.json.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    // Unknown items are a 404.
    const missing = await call(recordScoreRoute, { token: judge.key, body: { actionId: randomUUID(), name: "correctness", value: 0.5 } });
    expect(missing.status).toBe(404);
    expect((await call(recordScoreRoute, { token: judge.key, body: { taskId: randomUUID(), name: "correctness", value: 0.5 } })).status).toBe(404);
    expect(await db.score.count({ where: { OR: [{ actionId }, { taskId }, { authorId: judge.agent.id }] } })).toBe(0);
    expect(await auditRows({ verb: "score.record", actorLabel: judge.agent.name })).toHaveLength(0);
  });

  it("refuses an agent scoring its own work, and callers without a key", async () => {
    const tool = await makeTool({ scopes: [] });
    const worker = await makeGrantedAgent([tool.name]);
    const actionId = (await propose(worker.key, { tool: tool.name, confidence: 0.99 })).json.id as string;
    const own = await call(recordScoreRoute, { token: worker.key, body: { actionId, name: "correctness", value: 1 } });
    expect(own.status).toBe(403);
    expect((await call(recordScoreRoute, { body: { actionId, name: "correctness", value: 1 } })).status).toBe(401);
    expect(await db.score.count({ where: { actionId } })).toBe(0);
  });

  it("honours Idempotency-Key: a retried request stores one score", async () => {
    const { actionId } = await makeAction();
    const judge = await evaluator();
    const send = () =>
      call(recordScoreRoute, { token: judge.key, headers: { "idempotency-key": unique("retry") }, body: { actionId, name: "safety", value: 0.3 } });
    const key = unique("retry");
    const again = () => call(recordScoreRoute, { token: judge.key, headers: { "idempotency-key": key }, body: { actionId, name: "safety", value: 0.3 } });
    const [first, second] = [await again(), await again()];
    expect(second.json.id).toBe(first.json.id);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await db.score.count({ where: { actionId } })).toBe(1);
    await send();
    expect(await db.score.count({ where: { actionId } })).toBe(2);
  });

  it("is in the OpenAPI document", () => {
    const document = buildOpenApiDocument(API_ROUTES, "http://warden.test") as { paths: Record<string, Record<string, unknown>> };
    expect(document.paths["/api/v1/scores"]?.post).toBeDefined();
  });
});

describe("people's thumbs", () => {
  it("a person's second rating of the same item replaces the first; other people's stand beside it", async () => {
    const { actionId, agentId } = await makeAction();
    const [manager, other] = [await makeUser("viewer"), await makeUser("approver")];
    const caller = createCaller({ db, user: manager, ip: "127.0.0.1" });
    const first = await caller.quality.rate({ actionId, thumbs: "up", comment: "clean" });
    expect(first).toMatchObject({ value: 1, name: "human", source: "human", agentId, author: manager.label, replaced: false });
    const second = await caller.quality.rate({ actionId, thumbs: "down", comment: "broke staging" });
    expect(second).toMatchObject({ id: first.id, value: 0, comment: "broke staging", replaced: true });
    await createCaller({ db, user: other, ip: null }).quality.rate({ actionId, thumbs: "up" });

    const rows = await db.score.findMany({ where: { actionId }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => [r.authorLabel, r.value, r.comment])).toEqual([
      [manager.label, 0, "broke staging"],
      [other.label, 1, null],
    ]);
    const listed = await caller.quality.forItem({ actionId });
    expect(listed.mine).toEqual({ thumbs: "down", comment: "broke staging" });
    expect(listed.summary).toEqual([{ name: "human", source: "human", average: 0.5, count: 2 }]);
    expect(listed.scores).toHaveLength(2);
    const audits = await auditRows({ verb: "score.rate", subjectId: first.id });
    expect(audits.map((a) => (a.data as { replaced: boolean }).replaced)).toEqual([false, true]);
  });

  it("two ratings by one person at once leave one row", async () => {
    const { taskId, agentId } = await makeClaimedTask();
    const manager = await makeUser("viewer");
    const results = await Promise.allSettled(
      (["up", "down", "up", "down", "up"] as const).map((thumbs) => rateItem(db, manager, { taskId, thumbs, comment: thumbs })),
    );
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    const rows = await db.score.findMany({ where: { taskId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ agentId, source: "human", authorId: manager.id });
    // The row holds one of the ratings whole, never a mix of two.
    expect(rows[0]!.comment).toBe(rows[0]!.value === 1 ? "up" : "down");
  });

  it("validates ratings and needs a signed-in person", async () => {
    const { actionId } = await makeAction();
    const manager = await makeUser("viewer");
    const caller = createCaller({ db, user: manager, ip: null });
    await expect(caller.quality.rate({ actionId, thumbs: "sideways" as "up" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.quality.rate({ thumbs: "up" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("taskId") });
    await expect(caller.quality.rate({ actionId, thumbs: "up", comment: "y".repeat(2001) })).rejects.toMatchObject({
      message: expect.stringContaining("comment"),
    });
    await expect(caller.quality.rate({ actionId: randomUUID(), thumbs: "up" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(createCaller({ db, user: null, ip: null }).quality.rate({ actionId, thumbs: "up" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await db.score.count({ where: { actionId } })).toBe(0);
  });
});

describe("the daily quality rollup", () => {
  it("keeps exact counts and sums as people rate and re-rate", async () => {
    const { actionId, agentId } = await makeAction();
    const [one, two] = [await makeUser("viewer"), await makeUser("viewer")];
    await createCaller({ db, user: one, ip: null }).quality.rate({ actionId, thumbs: "up" });
    await createCaller({ db, user: two, ip: null }).quality.rate({ actionId, thumbs: "up" });
    await createCaller({ db, user: one, ip: null }).quality.rate({ actionId, thumbs: "down" });
    const days = await db.qualityDay.findMany({ where: { agentId, name: "human" } });
    // Two people, one rating each (the re-rating moved its value): n 2, total 0 + 1.
    expect(days.reduce((n, d) => n + d.n, 0)).toBe(2);
    expect(days.reduce((t, d) => t + d.total, 0)).toBe(1);
    const today = new Date();
    const daily = await qualitySeries(db, {
      from: new Date(today.getTime() - 86400_000 * 3),
      to: new Date(today.getTime() + 3600_000),
      agentIds: [agentId],
      bucket: "day",
    });
    expect(daily.totals).toEqual([{ name: "human", source: "human", average: 0.5, count: 2 }]);
  });
});

describe("qualitySeries", () => {
  // A quiet corner of time and agents of its own, so other tests' scores never fall in range.
  const base = Date.UTC(2021, 2, 3, 10, 0, 0);
  const at = (hours: number, minutes = 0) => new Date(base + hours * 3600_000 + minutes * 60_000);
  const [a, b] = [randomUUID(), randomUUID()];

  async function seed() {
    const rows: { agentId: string; name: string; source: "human" | "evaluator"; value: number; createdAt: Date; authorId?: string }[] = [
      // 10:00–11:00 UTC
      { agentId: a, name: "correctness", source: "evaluator", value: 0.2, createdAt: at(0, 5) },
      { agentId: a, name: "correctness", source: "evaluator", value: 0.6, createdAt: at(0, 50) },
      { agentId: b, name: "correctness", source: "evaluator", value: 1.0, createdAt: at(0, 59) },
      { agentId: a, name: "human", source: "human", value: 1, createdAt: at(0, 10), authorId: randomUUID() },
      // 12:00–13:00 UTC
      { agentId: a, name: "correctness", source: "evaluator", value: 0.4, createdAt: at(2, 0) },
      { agentId: b, name: "human", source: "human", value: 0, createdAt: at(2, 30), authorId: randomUUID() },
      // the next UTC day, 09:00
      { agentId: b, name: "correctness", source: "evaluator", value: 0.9, createdAt: at(23) },
      // exactly at `to`: outside the half-open range
      { agentId: a, name: "correctness", source: "evaluator", value: 0, createdAt: at(38) },
    ];
    await db.score.createMany({ data: rows.map((r) => ({ ...r, actionId: randomUUID(), authorLabel: "tests" })) });
  }

  it("averages and counts per hour and per day, name and source, with totals, over [from, to)", async () => {
    await seed();
    const range = { from: at(-10), to: at(38), agentIds: [a, b] };
    const hourly = await qualitySeries(db, { ...range, bucket: "hour" });
    const round = <T extends { average: number }>(points: T[]) => points.map((p) => ({ ...p, average: Math.round(p.average * 1e6) / 1e6 }));
    expect(round(hourly.series)).toEqual([
      { bucket: "2021-03-03T10:00:00.000Z", name: "correctness", source: "evaluator", average: 0.6, count: 3 },
      { bucket: "2021-03-03T10:00:00.000Z", name: "human", source: "human", average: 1, count: 1 },
      { bucket: "2021-03-03T12:00:00.000Z", name: "correctness", source: "evaluator", average: 0.4, count: 1 },
      { bucket: "2021-03-03T12:00:00.000Z", name: "human", source: "human", average: 0, count: 1 },
      { bucket: "2021-03-04T09:00:00.000Z", name: "correctness", source: "evaluator", average: 0.9, count: 1 },
    ]);
    expect(round(hourly.totals)).toEqual([
      { name: "correctness", source: "evaluator", average: 0.62, count: 5 },
      { name: "human", source: "human", average: 0.5, count: 2 },
    ]);
    const daily = await qualitySeries(db, { ...range, bucket: "day" });
    expect(round(daily.series)).toEqual([
      { bucket: "2021-03-03T00:00:00.000Z", name: "correctness", source: "evaluator", average: 0.55, count: 4 },
      { bucket: "2021-03-03T00:00:00.000Z", name: "human", source: "human", average: 0.5, count: 2 },
      { bucket: "2021-03-04T00:00:00.000Z", name: "correctness", source: "evaluator", average: 0.9, count: 1 },
    ]);
    expect(round(daily.totals)).toEqual(round(hourly.totals));

    // One agent only.
    const onlyA = await qualitySeries(db, { ...range, agentIds: [a], bucket: "day" });
    expect(round(onlyA.totals)).toEqual([
      { name: "correctness", source: "evaluator", average: 0.4, count: 3 },
      { name: "human", source: "human", average: 1, count: 1 },
    ]);
    // Through the console's router, as the metrics page will call it.
    const manager = await makeUser("viewer");
    const viaRouter = await createCaller({ db, user: manager, ip: null }).quality.series({ ...range, bucket: "day" });
    expect(viaRouter).toEqual(daily);
  });

  it("refuses an empty or oversized range, naming the field", async () => {
    await expect(qualitySeries(db, { from: at(2), to: at(1), bucket: "hour" })).rejects.toMatchObject({ issues: [expect.objectContaining({ path: ["to"] })] });
    await expect(qualitySeries(db, { from: at(0), to: at(24 * 40), bucket: "hour" })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ["from"] })],
    });
    await expect(qualitySeries(db, { from: at(0), to: at(24 * 40), bucket: "day" })).resolves.toBeDefined();
  });
});
