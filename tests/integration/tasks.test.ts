import { describe, expect, it } from "vitest";
import { apiControlRoutes } from "../../server/control/control-routes";
import { expireLeases } from "../../server/tasks/task-lifecycle";
import { claimTaskRoute, completeTaskRoute, createTaskRoute, failTaskRoute, getTaskRoute, taskHeartbeatRoute } from "../../server/tasks/task-routes";
import { call, db, makeAgent, makeUserWithToken, unique } from "../support/fixtures";

/** A capability of its own per test, so tests never take each other's tasks. */
async function worker(capability: string, extra: { role?: "lead" | "specialist" } = {}) {
  const { agent, key } = await makeAgent({ capabilities: [capability], role: extra.role ?? "specialist" });
  return { agent, key: key.secret };
}

const claim = (key: string, waitSeconds = 0) => call(claimTaskRoute, { token: key, body: { waitSeconds } });

async function queue(token: string, capability: string, tasks: { title: string; priority?: number; dedupeKey?: string }[]) {
  const ids: string[] = [];
  for (const t of tasks) ids.push((await call(createTaskRoute, { token, body: { capability, ...t } })).json.task.id);
  return ids;
}

describe("the task queue", () => {
  it("50 concurrent claimers on 5,000 tasks: every task claimed exactly once", async () => {
    const capability = unique("bulk").toLowerCase();
    const rows = Array.from({ length: 5000 }, (_, i) => ({ title: `t${i}`, capability, createdByType: "system", createdByLabel: "tests", priority: i % 5 }));
    await db.task.createMany({ data: rows });
    const workers = await Promise.all(Array.from({ length: 50 }, () => worker(capability)));
    const claimedBy = new Map<string, string[]>();
    await Promise.all(
      workers.map(async (w) => {
        for (;;) {
          const response = await claim(w.key);
          if (response.status === 204) return;
          const id: string = response.json.task.id;
          claimedBy.set(id, [...(claimedBy.get(id) ?? []), w.agent.id]);
        }
      }),
    );
    expect(claimedBy.size).toBe(5000);
    expect([...claimedBy.values()].every((owners) => owners.length === 1)).toBe(true);
    expect(await db.task.count({ where: { capability, status: "queued" } })).toBe(0);
    expect(await db.auditLog.count({ where: { verb: "task.claim", subjectId: { in: [...claimedBy.keys()].slice(0, 100) } } })).toBe(100);
  }, 120_000);

  it("highest priority first, FIFO within a priority, and only to agents with the capability", async () => {
    const capability = unique("prio").toLowerCase();
    const { token } = await makeUserWithToken("operator");
    const [low, high1, mid, high2] = await queue(token, capability, [
      { title: "low", priority: 10 },
      { title: "high 1", priority: 90 },
      { title: "mid", priority: 50 },
      { title: "high 2", priority: 90 },
    ]);
    const stranger = await worker(unique("other").toLowerCase());
    expect((await claim(stranger.key)).status).toBe(204);
    const w = await worker(capability);
    const order = [];
    for (let i = 0; i < 4; i++) order.push((await claim(w.key)).json.task.id);
    expect(order).toEqual([high1, high2, mid, low]);
  });

  it("a repeated dedupe key while the first task is unfinished returns that task (200)", async () => {
    const capability = unique("dedupe").toLowerCase();
    const { token } = await makeUserWithToken("operator");
    const dedupeKey = unique("nightly-backup");
    const first = await call(createTaskRoute, { token, body: { capability, title: "backup", dedupeKey } });
    const again = await Promise.all([1, 2, 3].map(() => call(createTaskRoute, { token, body: { capability, title: "backup again", dedupeKey } })));
    expect(first.status).toBe(201);
    expect(again.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(new Set(again.map((a) => a.json.task.id))).toEqual(new Set([first.json.task.id]));
    // Once it is finished, the key queues a new task.
    const w = await worker(capability);
    await claim(w.key);
    await call(completeTaskRoute, { token: w.key, params: { id: first.json.task.id }, body: { output: { ok: true } } });
    const after = await call(createTaskRoute, { token, body: { capability, title: "tomorrow's backup", dedupeKey } });
    expect(after.status).toBe(201);
    expect(after.json.task.id).not.toBe(first.json.task.id);
  });

  it("an expired lease requeues; the maximum attempts lead to the dead-letter list with the history", async () => {
    const capability = unique("lease").toLowerCase();
    const { token } = await makeUserWithToken("operator");
    const [id] = await queue(token, capability, [{ title: "flaky" }]);
    await db.task.update({ where: { id: id! }, data: { maxAttempts: 2 } });
    const w = await worker(capability);
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect((await claim(w.key)).json.task.id).toBe(id);
      await db.task.update({ where: { id: id! }, data: { leaseExpiresAt: new Date(Date.now() - 1000) } });
      await expireLeases(db);
    }
    const dead = await db.task.findUniqueOrThrow({ where: { id: id! }, include: { events: { orderBy: { id: "asc" } } } });
    expect(dead.status).toBe("dead");
    expect(dead.events.map((e) => e.type)).toEqual(["queued", "claimed", "lease_lost", "claimed", "dead"]);
    expect((await claim(w.key)).status).toBe(204);
  });

  it("a failure is retried while attempts remain; without retry it fails for good", async () => {
    const capability = unique("fail").toLowerCase();
    const { token } = await makeUserWithToken("operator");
    const [id] = await queue(token, capability, [{ title: "deploy" }]);
    const w = await worker(capability);
    await claim(w.key);
    const retried = await call(failTaskRoute, { token: w.key, params: { id: id! }, body: { error: "timeout" } });
    expect(retried.json).toMatchObject({ status: "queued", attempts: 1 });
    await claim(w.key);
    const failed = await call(failTaskRoute, { token: w.key, params: { id: id! }, body: { error: "bad input", retry: false } });
    expect(failed.json.status).toBe("failed");
    expect((await call(completeTaskRoute, { token: w.key, params: { id: id! }, body: {} })).status).toBe(409);
  });

  it("a lead agent cannot claim work", async () => {
    const capability = unique("lead").toLowerCase();
    const lead = await worker(capability, { role: "lead" });
    const response = await claim(lead.key);
    expect(response.status).toBe(403);
    expect(response.json.error.message).toMatch(/delegates/);
  });

  it("a claim long-polls until a task of its capability is queued", async () => {
    const capability = unique("wait").toLowerCase();
    const { token } = await makeUserWithToken("operator");
    const w = await worker(capability);
    const started = Date.now();
    const waiting = claim(w.key, 10);
    await new Promise((r) => setTimeout(r, 300));
    const [id] = await queue(token, capability, [{ title: "arrives later" }]);
    const claimed = await waiting;
    expect(claimed.json.task.id).toBe(id);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

it("a claim narrowed to some capabilities takes only those, and names a capability the agent lacks", async () => {
  const [wanted, other] = [unique("want").toLowerCase(), unique("skip").toLowerCase()];
  const { token } = await makeUserWithToken("operator");
  const { key } = await makeAgent({ capabilities: [wanted, other] });
  const [otherId] = await queue(token, other, [{ title: "not for this worker", priority: 90 }]);
  const [wantedId] = await queue(token, wanted, [{ title: "for this worker", priority: 10 }]);
  const narrowed = await call(claimTaskRoute, { token: key.secret, body: { capabilities: [wanted] } });
  expect(narrowed.json.task.id).toBe(wantedId);
  expect((await call(claimTaskRoute, { token: key.secret, body: { capabilities: [wanted] } })).status).toBe(204);
  expect((await claim(key.secret)).json.task.id).toBe(otherId);
  const foreign = await call(claimTaskRoute, { token: key.secret, body: { capabilities: [wanted, "not-mine"] } });
  expect(foreign.status).toBe(400);
  expect(foreign.json.error.details[0]).toEqual({ field: "capabilities", message: "not-mine is not a capability of this agent" });
});

describe("control states and tasks", () => {
  it("pause blocks claims; resume restores them", async () => {
    const capability = unique("paused").toLowerCase();
    const operator = await makeUserWithToken("operator");
    await queue(operator.token, capability, [{ title: "work" }]);
    const w = await worker(capability);
    await call(apiControlRoutes.pause, { token: operator.token, body: { scope: `agent:${w.agent.name}`, reason: "freeze" } });
    expect((await claim(w.key)).status).toBe(204);
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `agent:${w.agent.name}`, reason: "thaw" } });
    expect((await claim(w.key)).status).toBe(200);
  });

  it("suspend keeps the checkpoint; resume continues from it; kill cancels", async () => {
    const capability = unique("susp").toLowerCase();
    const operator = await makeUserWithToken("operator");
    const [id] = await queue(operator.token, capability, [{ title: "migrate 1,000 rows" }]);
    const w = await worker(capability);
    await claim(w.key);
    await call(taskHeartbeatRoute, { token: w.key, params: { id: id! }, body: { checkpoint: { rowsDone: 400 } } });
    await call(apiControlRoutes.suspend, { token: operator.token, body: { scope: `agent:${w.agent.name}`, reason: "incident" } });
    const parked = await call(getTaskRoute, { token: w.key, params: { id: id! } });
    expect(parked.json).toMatchObject({ status: "suspended", checkpoint: { rowsDone: 400 } });
    expect((await call(taskHeartbeatRoute, { token: w.key, params: { id: id! }, body: {} })).status).toBe(409);

    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `agent:${w.agent.name}`, reason: "over" } });
    const resumed = await claim(w.key);
    expect(resumed.json.task).toMatchObject({ id, checkpoint: { rowsDone: 400 }, attempts: 2 });

    const issued = await call((await import("../../server/control/control-routes")).killTokenRoute, {
      token: operator.token,
      body: { scope: `agent:${w.agent.name}`, rollbackLast: 0 },
    });
    await call(apiControlRoutes.kill, { token: operator.token, body: { confirm: issued.json.token } });
    expect((await call(getTaskRoute, { token: w.key, params: { id: id! } })).json.status).toBe("cancelled");
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `agent:${w.agent.name}`, reason: "done" } });
  });
});

describe("dispatch limits", () => {
  it("per capability queue and per agent, from the policy", async () => {
    const { getCurrentPolicy } = await import("../../server/policy/current-policy");
    const { savePolicy } = await import("../../server/policy/save-policy");
    const { makeUser } = await import("../support/fixtures");
    const capability = unique("limited").toLowerCase();
    const admin = await makeUser("admin");
    const current = await getCurrentPolicy(db, { fresh: true });
    await savePolicy(db, admin, {
      document: {
        ...current.document,
        claimLimits: { ...current.document.claimLimits, perCapability: { ...current.document.claimLimits.perCapability, [capability]: "2/minute" } },
      },
    });
    const { token } = await makeUserWithToken("operator");
    await queue(token, capability, [{ title: "a" }, { title: "b" }, { title: "c" }]);
    const [w1, w2] = [await worker(capability), await worker(capability)];
    expect((await claim(w1.key)).status).toBe(200);
    expect((await claim(w2.key)).status).toBe(200);
    // The queue has dispatched its two for this minute: the third stays queued, for anyone.
    expect((await claim(w1.key)).status).toBe(204);
    expect(await db.task.count({ where: { capability, status: "queued" } })).toBe(1);
    const released = await db.taskEvent.count({ where: { type: "released", task: { capability } } });
    expect(released).toBe(1);
  });

  it("an agent over its own claim limit gets 429 with Retry-After, and the task stays queued", async () => {
    const { getCurrentPolicy } = await import("../../server/policy/current-policy");
    const { savePolicy } = await import("../../server/policy/save-policy");
    const { makeUser } = await import("../support/fixtures");
    const capability = unique("agentlimit").toLowerCase();
    const admin = await makeUser("admin");
    const current = await getCurrentPolicy(db, { fresh: true });
    const withLimit = { ...current.document, claimLimits: { ...current.document.claimLimits, perAgent: "1/minute" } };
    await savePolicy(db, admin, { document: withLimit });
    try {
      const { token } = await makeUserWithToken("operator");
      await queue(token, capability, [{ title: "first" }, { title: "second" }]);
      const w = await worker(capability);
      expect((await claim(w.key)).status).toBe(200);
      const limited = await claim(w.key);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await db.task.count({ where: { capability, status: "queued" } })).toBe(1);
    } finally {
      await savePolicy(db, admin, { document: { ...withLimit, claimLimits: { ...withLimit.claimLimits, perAgent: null } } });
    }
  });
});

describe("hierarchy", () => {
  it("a lead delegates subtasks; their results roll up to the parent", async () => {
    const capability = unique("sub").toLowerCase();
    const lead = await worker(unique("plan").toLowerCase(), { role: "lead" });
    const parent = await call(createTaskRoute, { token: lead.key, body: { title: "ship release 1.5", capability: unique("release").toLowerCase() } });
    const child = await call(createTaskRoute, { token: lead.key, body: { title: "run the test suite", capability, parentId: parent.json.task.id } });
    expect(child.json.task.parentId).toBe(parent.json.task.id);
    const specialist = await worker(capability);
    await claim(specialist.key);
    await call(completeTaskRoute, { token: specialist.key, params: { id: child.json.task.id }, body: { output: { passed: 412 } } });
    const seen = await call(getTaskRoute, { token: lead.key, params: { id: parent.json.task.id } });
    expect(seen.json.subtasks).toEqual([expect.objectContaining({ id: child.json.task.id, status: "succeeded", output: { passed: 412 } })]);
    const events = await db.taskEvent.findMany({ where: { taskId: parent.json.task.id }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.type)).toEqual(["queued", "subtask_succeeded"]);
    expect((await call(createTaskRoute, { token: lead.key, body: { title: "x", capability, parentId: "00000000-0000-4000-8000-000000000009" } })).status).toBe(
      400,
    );
  });
});

describe("who may see and queue what", () => {
  it("an agent reads only tasks it holds or created; a killed agent cannot queue work", async () => {
    const capability = unique("priv").toLowerCase();
    const operator = await makeUserWithToken("operator");
    const [id] = await queue(operator.token, capability, [{ title: "private work" }]);
    const holder = await worker(capability);
    const stranger = await worker(unique("else").toLowerCase());
    await claim(holder.key);
    expect((await call(getTaskRoute, { token: holder.key, params: { id: id! } })).status).toBe(200);
    expect((await call(getTaskRoute, { token: stranger.key, params: { id: id! } })).status).toBe(404);
    const { killTokenRoute } = await import("../../server/control/control-routes");
    const issued = await call(killTokenRoute, { token: operator.token, body: { scope: `agent:${stranger.agent.name}`, rollbackLast: 0 } });
    await call(apiControlRoutes.kill, { token: operator.token, body: { confirm: issued.json.token } });
    const refused = await call(createTaskRoute, { token: stranger.key, body: { title: "sneaky", capability } });
    expect(refused.status).toBe(403);
    await call(apiControlRoutes.resume, { token: operator.token, body: { scope: `agent:${stranger.agent.name}`, reason: "ok" } });
  });
});
