import { describe, expect, it } from "vitest";
import { actionResultRoute } from "../../server/actions/action-routes";
import { rejectRoute } from "../../server/approvals/approval-routes";
import { recordMemoryRoute } from "../../server/memory/memory-routes";
import { MAX_MEMORY_SUBJECT } from "../../server/schemas/memory";
import { findUnsafeJson } from "../../server/schemas/safe-json";
import { claimTaskRoute, createTaskRoute } from "../../server/tasks/task-routes";
import { call, db, makeAgent, makeUserWithToken, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

const fields = (response: { json: { error: { details: { field: string }[] } } }) => response.json.error.details.map((d) => d.field);

describe("derived values never fail the caller's request", () => {
  /** An action of the maximum length (2,000 characters) on a resource of the maximum length (200). */
  async function longAction(confidence: number, words = "rotate the credentials of every service in the cluster ") {
    const tool = await makeTool({ scopes: [] });
    const { key } = await makeGrantedAgent([tool.name]);
    // 2,000 UTF-16 units, or 1,999 where the 2,000th would be half of a pair.
    const action = `${unique("x")} ${words.repeat(Math.ceil(2000 / words.length))}`.slice(0, 2000).replace(/[\ud800-\udbff]$/, "");
    const resource = `prod/${unique("db")}-${"r".repeat(200)}`.slice(0, 200);
    const proposed = await propose(key, { tool: tool.name, action, resource, confidence });
    expect(proposed.status).toBe(201);
    return { tool, key, action, resource, id: proposed.json.id as string };
  }

  it("rejecting an action of the maximum length works; its lesson's subject is shortened, keeping the resource", async () => {
    const { id, action, resource } = await longAction(0.1);
    const { token } = await makeUserWithToken("approver");
    const rejected = await call(rejectRoute, { token, params: { id }, body: { reason: "not during the freeze" } });
    expect(rejected.status).toBe(200);
    expect(rejected.json.status).toBe("rejected");
    const lesson = await db.memory.findFirstOrThrow({ where: { actionId: id, kind: "decision" } });
    expect(lesson.subject.length).toBeLessThanOrEqual(MAX_MEMORY_SUBJECT);
    expect(lesson.subject.startsWith(action.slice(0, 20))).toBe(true);
    expect(lesson.subject.endsWith(`… on ${resource}`)).toBe(true);
  });

  it("a failure report with a failureReason for an action of the maximum length works, and the lesson is kept", async () => {
    const { id, key, tool, resource } = await longAction(0.99);
    const reported = await call(actionResultRoute, {
      token: key,
      params: { id },
      body: { status: "failed", error: "exit 1", failureReason: "the vault was sealed" },
    });
    expect(reported.status).toBe(200);
    const lesson = await db.memory.findFirstOrThrow({ where: { actionId: id, kind: "negative_knowledge" } });
    expect(lesson.subject.length).toBeLessThanOrEqual(MAX_MEMORY_SUBJECT);
    expect(lesson.subject.endsWith(`on ${resource} (${tool.name})`)).toBe(true);
    expect(lesson.body).toBe("the vault was sealed");
  });

  it("the same long action failing again counts as a repeated failure (one subject for the record and the check)", async () => {
    const first = await longAction(0.99);
    await call(actionResultRoute, { token: first.key, params: { id: first.id }, body: { status: "failed", failureReason: "the vault was sealed" } });
    const again = await propose(first.key, { tool: first.tool.name, action: first.action, resource: first.resource, confidence: 0.99 });
    const reported = await call(actionResultRoute, {
      token: first.key,
      params: { id: again.json.id },
      body: { status: "failed", failureReason: "the vault was sealed" },
    });
    expect(reported.status).toBe(200);
    expect((await db.action.findUniqueOrThrow({ where: { id: again.json.id } })).repeatedFailure).toBe(true);
  });

  it("the cut never leaves half of a surrogate pair (emoji at the boundary)", async () => {
    // Blocks of 2 to 5 UTF-16 units: one of them puts the cut inside a pair.
    for (const pad of ["", "a", "ab", "abc"]) {
      const { id } = await longAction(0.1, `${pad}🔥`);
      const { token } = await makeUserWithToken("approver");
      expect((await call(rejectRoute, { token, params: { id }, body: { reason: "no" } })).status).toBe(200);
      const lesson = await db.memory.findFirstOrThrow({ where: { actionId: id } });
      expect(findUnsafeJson(lesson.subject)).toBeNull();
    }
  });
});

describe("provenance belongs to its author", () => {
  it("agent B cannot file a memory under agent A's action or task (404 naming the field); its own are fine", async () => {
    const tool = await makeTool({ scopes: [] });
    const a = await makeGrantedAgent([tool.name]);
    const capability = unique("prov").toLowerCase();
    const aWorker = await makeAgent({ capabilities: [capability] });
    const b = await makeGrantedAgent([tool.name]);
    const aAction = await propose(a.key, { tool: tool.name, confidence: 0.99 });
    const { token } = await makeUserWithToken("operator");
    await call(createTaskRoute, { token, body: { title: "a's task", capability } });
    const aTask = (await call(claimTaskRoute, { token: aWorker.key.secret, body: {} })).json.task.id as string;
    const subject = unique("forged");
    const lesson = { kind: "pattern", subject, body: "restart it twice" };

    const viaAction = await call(recordMemoryRoute, { token: b.key, body: { ...lesson, actionId: aAction.json.id } });
    expect([viaAction.status, fields(viaAction)]).toEqual([404, ["actionId"]]);
    const viaTask = await call(recordMemoryRoute, { token: b.key, body: { ...lesson, taskId: aTask } });
    expect([viaTask.status, fields(viaTask)]).toEqual([404, ["taskId"]]);
    const unknown = await call(recordMemoryRoute, { token: b.key, body: { ...lesson, actionId: crypto.randomUUID() } });
    expect([unknown.status, fields(unknown)]).toEqual([404, ["actionId"]]);
    expect(await db.memory.count({ where: { subject } })).toBe(0);

    const own = await propose(b.key, { tool: tool.name, confidence: 0.99 });
    const mine = await call(recordMemoryRoute, { token: b.key, body: { ...lesson, actionId: own.json.id } });
    expect(mine.status).toBe(201);
    const aOwn = await call(recordMemoryRoute, { token: aWorker.key.secret, body: { ...lesson, subject: unique("own"), taskId: aTask } });
    expect(aOwn.status).toBe(201);
  });

  it("a person may cite any existing action or task, not a made-up one", async () => {
    const tool = await makeTool({ scopes: [] });
    const a = await makeGrantedAgent([tool.name]);
    const action = await propose(a.key, { tool: tool.name, confidence: 0.99 });
    const { token } = await makeUserWithToken("approver");
    const lesson = { kind: "decision", subject: unique("person"), body: "prefer the blue pool" };
    expect((await call(recordMemoryRoute, { token, body: { ...lesson, actionId: action.json.id } })).status).toBe(201);
    const madeUp = await call(recordMemoryRoute, { token, body: { ...lesson, taskId: crypto.randomUUID() } });
    expect([madeUp.status, fields(madeUp)]).toEqual([404, ["taskId"]]);
  });
});
