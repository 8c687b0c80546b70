import fc from "fast-check";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { actionResultRoute, proposeActionRoute, waitActionRoute } from "../../server/actions/action-routes";
import { createAgentRoute } from "../../server/agents/agent-routes";
import { loginWithPassword } from "../../server/auth/login";
import { approveRoute, listApprovalsRoute, rejectRoute } from "../../server/approvals/approval-routes";
import { appRouter, createCaller } from "../../server/api/root";
import { apiControlRoutes, heartbeatRoute } from "../../server/control/control-routes";
import { recordUsageRoute } from "../../server/cost/cost-routes";
import type { ApiRoute } from "../../server/http/api-route";
import { API_ROUTES } from "../../server/http/api-routes";
import { recallRoute, recordMemoryRoute } from "../../server/memory/memory-routes";
import { fieldName, MAX_JSON_DEPTH } from "../../server/schemas/safe-json";
import { claimTaskRoute, completeTaskRoute, createTaskRoute, failTaskRoute, taskHeartbeatRoute } from "../../server/tasks/task-routes";
import { call, db, makeAgent, makeUser, makeUserWithToken, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";
import { cleanObject, hostile, insert, type Json } from "../support/hostile-json";
import { trpcHandler } from "../support/trpc-http";

/**
 * Hostile input gets a 400 naming the field, and nothing is written: JSON nested deeper than
 * MAX_JSON_DEPTH (32) levels, NUL and unpaired surrogates in any string, key, query or path
 * value. Before: args nested 2,200 deep were accepted (and then blanked the console), 5,000 deep
 * overflowed the size check (500), and NUL or \ud800 gave a 500 on 14+ operations.
 */
const nested = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
const deepField = (name: string) => `${name}${".0".repeat(MAX_JSON_DEPTH)}`;
const fields = (response: { json: { error: { details: { field: string }[] } } }) => response.json.error.details.map((d) => d.field);

/** Everything an agent's request could have written, counted for that agent alone (other suites run beside this one). */
async function footprint(agentId: string) {
  const [actions, audit, memories, tasks, usage, idempotency, votes] = await Promise.all([
    db.action.count({ where: { agentId } }),
    db.auditLog.count({ where: { actorId: agentId } }),
    db.memory.count({ where: { authorAgentId: agentId } }),
    db.task.count({ where: { OR: [{ createdById: agentId }, { leasedBy: agentId }] } }),
    db.usageEvent.count({ where: { agentId } }),
    db.idempotencyKey.count({ where: { principal: `agent:${agentId}` } }),
    db.approvalVote.count({ where: { action: { agentId } } }),
  ]);
  const taskStates = await db.task.findMany({ where: { leasedBy: agentId }, select: { status: true, checkpoint: true, output: true } });
  const actionStates = await db.action.findMany({ where: { agentId }, select: { status: true, output: true } });
  return { actions, audit, memories, tasks, usage, idempotency, votes, taskStates, actionStates };
}

describe("every REST route refuses hostile input before anything else, naming the field", () => {
  async function credentials() {
    const { key } = await makeAgent();
    const { token } = await makeUserWithToken("admin");
    return (route: ApiRoute) => (route.auth === "public" ? undefined : route.auth.agent ? key.secret : token);
  }
  const params = (route: ApiRoute, value?: string) =>
    Object.fromEntries([...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name!, value ?? (name === "id" ? crypto.randomUUID() : "some-name")]));
  const bodyRoutes = API_ROUTES.filter((r) => r.body);

  it.each([
    ["NUL in a value", { note: "a\u0000b" }, "note"],
    ["an unpaired high surrogate", { note: "x\ud800" }, "note"],
    ["an unpaired low surrogate in an array", { note: ["ok", "\udc00y"] }, "note.1"],
    ["NUL in a key", { "a\u0000b": 1 }, "a\\u0000b"],
    ["a surrogate in a nested key", { note: { "\udfff": 1 } }, "note.\\udfff"],
  ])("body: %s → 400 on all %#", async (_what, body, field) => {
    const tokenFor = await credentials();
    for (const route of bodyRoutes) {
      const response = await call(route, { token: tokenFor(route), params: params(route), body });
      expect([route.path, response.status]).toEqual([route.path, 400]);
      expect([route.path, fields(response)]).toEqual([route.path, [field]]);
    }
  });

  it("body: JSON nested 2,200, 5,000 and 100,000 deep → 400 naming the path to the 33rd level, on every route", async () => {
    const tokenFor = await credentials();
    for (const levels of [2200, 5000, 100_000]) {
      for (const route of bodyRoutes) {
        const response = await call(route, { token: tokenFor(route), params: params(route), rawBody: `{"deep":${nested(levels)}}` });
        expect([route.path, levels, response.status]).toEqual([route.path, levels, 400]);
        expect(fields(response)).toEqual([deepField("deep")]);
        expect(response.json.error.message).toMatch(/at most 32 levels/);
      }
    }
  });

  it("query: %00 in a value or a name → 400 naming query.<name>, on every route", async () => {
    const tokenFor = await credentials();
    for (const route of API_ROUTES) {
      const response = await call(route, { token: tokenFor(route), params: params(route), query: { q: "a\u0000b" } });
      expect([route.path, response.status, fields(response)]).toEqual([route.path, 400, ["query.q"]]);
      const named = await call(route, { token: tokenFor(route), params: params(route), query: { "x\u0000": "1" } });
      expect([route.path, fields(named)]).toEqual([route.path, ["query.x\\u0000"]]);
    }
  });

  it("path: NUL in a path parameter → 400 naming path.<name>", async () => {
    const tokenFor = await credentials();
    for (const route of API_ROUTES.filter((r) => r.path.includes("{"))) {
      const response = await call(route, { token: tokenFor(route), params: params(route, "a\u0000b") });
      expect([route.path, response.status]).toEqual([route.path, 400]);
      expect(fields(response)[0]).toMatch(/^path\./);
    }
  });

  it("an unknown key is named by its own name, also when nested", async () => {
    const { token } = await makeUserWithToken("admin");
    const extra = await call(createAgentRoute, { token, body: { name: unique("x"), role: "lead", team: "ops", colour: "red", size: 2 } });
    expect(extra.status).toBe(400);
    expect(fields(extra).sort()).toEqual(["colour", "size"]);
    const tool = await makeTool({ scopes: [] });
    const { key } = await makeGrantedAgent([tool.name]);
    const nestedExtra = await propose(key, { tool: tool.name, undo: { tool: tool.name, args: {}, colour: "red" } as never });
    expect(nestedExtra.status).toBe(400);
    expect(fields(nestedExtra)).toEqual(["undo.colour"]);
  });
});

describe("a hostile request writes nothing (row counts unchanged, no audit row)", () => {
  it("POST /actions: deep args (2,200 and 5,000), deep undo args, NUL in the action, a surrogate in the rationale, a NUL key", async () => {
    const tool = await makeTool({ scopes: [] });
    const { agent, key } = await makeGrantedAgent([tool.name]);
    const before = await footprint(agent.id);
    const base = `{"action":"run it","tool":"${tool.name}","confidence":0.99`;
    const cases: [string, string][] = [
      [`${base},"args":{"x":${nested(2200)}}}`, deepField("args.x").replace(/\.0$/, "")],
      [`${base},"args":{"x":${nested(5000)}}}`, deepField("args.x").replace(/\.0$/, "")],
      [`${base},"undo":{"tool":"${tool.name}","args":{"x":${nested(40)}}}}`, `undo.args.x${".0".repeat(MAX_JSON_DEPTH - 2)}`],
      [`{"action":"run \\u0000 it","tool":"${tool.name}","confidence":0.99}`, "action"],
      [`${base},"rationale":"because \\ud800"}`, "rationale"],
      [`${base},"args":{"cmd\\u0000":"rm"}}`, "args.cmd\\u0000"],
    ];
    for (const [rawBody, field] of cases) {
      const response = await call(proposeActionRoute, { token: key, rawBody, headers: { "idempotency-key": unique("idem") } });
      expect([field, response.status, fields(response)]).toEqual([field, 400, [field]]);
    }
    expect(await footprint(agent.id)).toEqual(before);
  });

  it("POST /actions/:id/result: NUL in the output, a surrogate in the failure reason → the action stays approved, no memory", async () => {
    const tool = await makeTool({ scopes: [] });
    const { agent, key } = await makeGrantedAgent([tool.name]);
    const ran = await propose(key, { tool: tool.name, confidence: 0.99 });
    expect(ran.json.status).toBe("approved");
    const before = await footprint(agent.id);
    const output = await call(actionResultRoute, { token: key, params: { id: ran.json.id }, body: { status: "succeeded", output: { log: "ok\u0000" } } });
    expect([output.status, fields(output)]).toEqual([400, ["output.log"]]);
    const reason = await call(actionResultRoute, { token: key, params: { id: ran.json.id }, body: { status: "failed", failureReason: "disk \udc00 full" } });
    expect([reason.status, fields(reason)]).toEqual([400, ["failureReason"]]);
    const deep = await call(actionResultRoute, { token: key, params: { id: ran.json.id }, rawBody: `{"status":"succeeded","output":{"x":${nested(3000)}}}` });
    expect(deep.status).toBe(400);
    expect(await footprint(agent.id)).toEqual(before);
  });

  it("tasks: create, heartbeat, complete and fail refuse NUL, surrogates and deep JSON; the task is untouched", async () => {
    const capability = unique("hostile").toLowerCase();
    const { agent, key } = await makeAgent({ capabilities: [capability] });
    const { token } = await makeUserWithToken("operator");
    await call(createTaskRoute, { token, body: { title: "work", capability } });
    const claimed = await call(claimTaskRoute, { token: key.secret, body: {} });
    const id = claimed.json.task.id as string;
    const before = await footprint(agent.id);
    const attempts = [
      [createTaskRoute, {}, { rawBody: `{"title":"t","capability":"${capability}","payload":{"x":${nested(2500)}}}` }, "payload.x"],
      [createTaskRoute, {}, { body: { title: "t\u0000", capability } }, "title"],
      [taskHeartbeatRoute, { id }, { body: { checkpoint: { step: "\ud83d" } } }, "checkpoint.step"],
      [taskHeartbeatRoute, { id }, { rawBody: `{"checkpoint":{"x":${nested(5000)}}}` }, "checkpoint.x"],
      [completeTaskRoute, { id }, { body: { output: { "\u0000": 1 } } }, "output.\\u0000"],
      [failTaskRoute, { id }, { body: { error: "boom", failureReason: "a\u0000b" } }, "failureReason"],
    ] as const;
    for (const [route, params, request, field] of attempts) {
      const response = await call(route, { token: key.secret, params, ...request });
      expect([route.path, response.status]).toEqual([route.path, 400]);
      expect(fields(response)[0]!.startsWith(field)).toBe(true);
    }
    expect(await footprint(agent.id)).toEqual(before);
  });

  it("memory, usage, heartbeat: NUL and surrogates are refused and nothing is recorded", async () => {
    const { agent, key } = await makeAgent();
    const before = await footprint(agent.id);
    const memory = await call(recordMemoryRoute, { token: key.secret, body: { kind: "pattern", subject: "cache", body: "flush \u0000 first" } });
    expect([memory.status, fields(memory)]).toEqual([400, ["body"]]);
    const tags = await call(recordMemoryRoute, { token: key.secret, body: { kind: "pattern", subject: "cache", body: "ok", tags: ["\ud800"] } });
    expect([tags.status, fields(tags)]).toEqual([400, ["tags.0"]]);
    const usage = await call(recordUsageRoute, { token: key.secret, body: { model: "gpt\u0000", inputTokens: 1, outputTokens: 1 } });
    expect([usage.status, fields(usage)]).toEqual([400, ["model"]]);
    const beat = await call(heartbeatRoute, { token: key.secret, body: { status: "busy\udbff" } });
    expect([beat.status, fields(beat)]).toEqual([400, ["status"]]);
    const recall = await call(recallRoute, { token: key.secret, query: { q: "cache\u0000" } });
    expect([recall.status, fields(recall)]).toEqual([400, ["query.q"]]);
    expect(await footprint(agent.id)).toEqual(before);
  });

  it("people's calls: approve with deep args, reject with NUL, pause with a surrogate, the inbox with %00: the action waits on", async () => {
    const tool = await makeTool({ scopes: [] });
    const { agent, key } = await makeGrantedAgent([tool.name]);
    const waiting = await propose(key, { tool: tool.name, confidence: 0.1 });
    expect(waiting.json.status).toBe("pending_approval");
    const id = waiting.json.id as string;
    const { user, token } = await makeUserWithToken("admin");
    const before = await footprint(agent.id);
    const auditBefore = await db.auditLog.count({ where: { actorId: user.id } });
    const approve = await call(approveRoute, { token, params: { id }, rawBody: `{"args":{"x":${nested(2200)}}}` });
    expect(approve.status).toBe(400);
    expect(fields(approve)[0]!.startsWith("args.x.0")).toBe(true);
    const reject = await call(rejectRoute, { token, params: { id }, body: { reason: "no\u0000" } });
    expect([reject.status, fields(reject)]).toEqual([400, ["reason"]]);
    const pause = await call(apiControlRoutes.pause, { token, body: { scope: `agent:${agent.name}`, reason: "x\ud800" } });
    expect([pause.status, fields(pause)]).toEqual([400, ["reason"]]);
    const inbox = await call(listApprovalsRoute, { token, query: { agent: "\u0000" } });
    expect([inbox.status, fields(inbox)]).toEqual([400, ["query.agent"]]);
    const wait = await call(waitActionRoute, { token: key, params: { id }, query: { timeoutSeconds: "1\u0000" } });
    expect([wait.status, fields(wait)]).toEqual([400, ["query.timeoutSeconds"]]);
    expect(await footprint(agent.id)).toEqual(before);
    expect(await db.auditLog.count({ where: { actorId: user.id } })).toBe(auditBefore);
    expect((await db.action.findUniqueOrThrow({ where: { id } })).status).toBe("pending_approval");
  });

  it("property: POST /actions with random args holding a hostile value anywhere → 400 naming args.<path>, nothing written", async () => {
    const tool = await makeTool({ scopes: [] });
    const { agent, key } = await makeGrantedAgent([tool.name]);
    const before = await footprint(agent.id);
    await fc.assert(
      fc.asyncProperty(cleanObject, fc.array(fc.nat(), { maxLength: 5 }), hostile, async (doc, walk, thing) => {
        const args = structuredClone(doc) as Record<string, Json>;
        const path = insert({ args } as Json, [0, ...walk], thing);
        const response = await call(proposeActionRoute, { token: key, body: { action: "run", tool: tool.name, confidence: 0.99, args } });
        expect(response.status).toBe(400);
        expect(fields(response)).toEqual([fieldName(path)]);
      }),
      { numRuns: 30 },
    );
    expect(await footprint(agent.id)).toEqual(before);
  });
});

describe("sign-in", () => {
  it("an email holding NUL or a lone surrogate is refused as invalid (not a 500), and audited with the characters escaped", async () => {
    const ip = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    for (const email of [`${unique("nul")}\u0000@example.test`, `${unique("half")}\ud800@example.test`]) {
      expect(await loginWithPassword(db, { email, password: "whatever it is" }, ip)).toEqual({ ok: false, reason: "invalid" });
      const escaped = email.replace("\u0000", "\\u0000").replace("\ud800", "\\ud800");
      expect(await db.auditLog.count({ where: { actorLabel: escaped, verb: "auth.login_failed" } })).toBe(1);
    }
  });
});

describe("every tRPC procedure refuses hostile input, over the wire and from createCaller", () => {
  type Caller = Record<string, unknown>;
  /** Every procedure's dotted path, from the router's own record (what the console can call). */
  const procedurePaths = () => Object.keys(appRouter._def.procedures);

  it("createCaller: { note: NUL } → BAD_REQUEST naming `note` on every procedure, before any role or input check runs", async () => {
    const admin = await makeUser("admin");
    const caller = createCaller({ db, user: admin, ip: "127.0.0.1" }) as unknown as Caller;
    expect(procedurePaths().length).toBeGreaterThan(40);
    for (const path of procedurePaths()) {
      const procedure = path.split(".").reduce<unknown>((node, part) => (node as Caller)[part], caller) as (input: unknown) => Promise<unknown>;
      const error = (await procedure({ note: "a\u0000b" }).then(
        () => null,
        (e: unknown) => e,
      )) as { code?: string; cause?: { details?: { field: string }[] } } | null;
      expect([path, error?.code]).toEqual([path, "BAD_REQUEST"]);
      expect([path, error?.cause?.details?.[0]?.field]).toEqual([path, "note"]);
    }
  });

  it("over HTTP: approvals.approve with args nested 5,000 deep and a NUL in a query's input → 400 naming the field; nothing written", async () => {
    const tool = await makeTool({ scopes: [] });
    const { agent, key } = await makeGrantedAgent([tool.name]);
    const waiting = await propose(key, { tool: tool.name, confidence: 0.1 });
    const approver = await makeUser("approver");
    const handle = trpcHandler(approver);
    const before = await footprint(agent.id);

    const body = `{"json":{"actionId":"${waiting.json.id}","args":{"x":${nested(5000)}}}}`;
    const approve = await handle(
      new Request("http://warden.test/api/trpc/approvals.approve", { method: "POST", headers: { "content-type": "application/json" }, body }),
    );
    expect(approve.status).toBe(400);
    const approveError = superjson.deserialize<{ data: { fields: { field: string }[] } }>((await approve.json()).error);
    expect(approveError.data.fields[0]!.field).toBe(`args.x${".0".repeat(MAX_JSON_DEPTH - 1)}`);

    const input = encodeURIComponent(JSON.stringify(superjson.serialize({ q: "a\u0000b" })));
    const browse = await handle(new Request(`http://warden.test/api/trpc/memory.browse?input=${input}`));
    expect(browse.status).toBe(400);
    const browseError = superjson.deserialize<{ data: { fields: { field: string }[] } }>((await browse.json()).error);
    expect(browseError.data.fields).toEqual([{ field: "q", message: "must not contain the NUL character (\\u0000)" }]);

    expect(await footprint(agent.id)).toEqual(before);
    expect(await db.approvalVote.count({ where: { userId: approver.id } })).toBe(0);
  });
});
