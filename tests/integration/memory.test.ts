import { describe, expect, it } from "vitest";
import { actionResultRoute } from "../../server/actions/action-routes";
import { memoryDetail } from "../../server/memory/manage-memory";
import { recallRoute, recordMemoryRoute } from "../../server/memory/memory-routes";
import { call, db, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

const YAML_FAILURE =
  "docker restart traefik failed because config had invalid YAML. Root cause: missing closing bracket in middleware chain. Fix: always validate config before restart.";

async function recall(key: string, q: string, extra: Record<string, string> = {}) {
  return call(recallRoute, { token: key, query: { q, ...extra } });
}

describe("negative knowledge", () => {
  it("the seed's scenario: A's failure is handed to B before B's similar action, first, and lowers it", async () => {
    const tool = await makeTool({ prefix: "docker.restart", scopes: ["staging/*"] });
    const a = await makeGrantedAgent([tool.name], ["staging/*"]);
    const b = await makeGrantedAgent([tool.name], ["staging/*"]);
    const resource = `staging/traefik-${unique("x").slice(2)}`;
    const first = await propose(a.key, { tool: tool.name, action: "docker restart traefik", resource, confidence: 0.97 });
    expect(first.json.decision).toBe("auto_execute");
    await call(actionResultRoute, { token: a.key, params: { id: first.json.id }, body: { status: "failed", error: "exit 1", failureReason: YAML_FAILURE } });

    const second = await propose(b.key, { tool: tool.name, action: "restart traefik", resource, confidence: 0.97 });
    expect(second.json.recalled[0]).toMatchObject({ kind: "negative_knowledge", body: YAML_FAILURE });
    expect(second.json.decision).toBe("execute_with_notification");
    expect(second.json.reasons.map((r: { code: string }) => r.code)).toContain("matching_failure");
    // Read as the memory page reads it: the recall counters include every recall logged so far.
    const { memory: entry } = await memoryDetail(db, second.json.recalled[0].id);
    expect(entry).toMatchObject({ actionId: first.json.id, authorLabel: a.agent.name, timesRecalled: 1 });
    expect(await db.memoryRecall.count({ where: { actionId: second.json.id } })).toBeGreaterThanOrEqual(1);
  });

  it("a second identical failure strengthens the first entry instead of adding one", async () => {
    const tool = await makeTool({ scopes: [] });
    const { key } = await makeGrantedAgent([tool.name]);
    const action = `restart ${unique("svc")}`;
    for (let i = 0; i < 2; i++) {
      const { json } = await propose(key, { tool: tool.name, action, confidence: 0.99 });
      await call(actionResultRoute, { token: key, params: { id: json.id }, body: { status: "failed", failureReason: YAML_FAILURE } });
    }
    const entries = await db.memory.findMany({ where: { subject: { startsWith: action }, kind: "negative_knowledge" } });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.occurrences).toBe(2);
  });
});

describe("recall", () => {
  it("finds a subject by its variants and a typo, and ranks an unrelated failure below", async () => {
    const { key } = await makeGrantedAgent([]);
    const tag = unique("t").toLowerCase();
    const traefik = await call(recordMemoryRoute, {
      token: key,
      body: { kind: "negative_knowledge", subject: "traefik_restart", body: YAML_FAILURE, tags: [tag] },
    });
    const other = await call(recordMemoryRoute, {
      token: key,
      body: { kind: "negative_knowledge", subject: "postgres_vacuum", body: "vacuum full locked the orders table for an hour", tags: [tag] },
    });
    expect(traefik.status).toBe(201);
    for (const q of ["traefik restart", "restart traefik", "Traefik-Restart", "trafik"]) {
      const { json } = await recall(key, q, { tag });
      expect(json.results[0]?.id, q).toBe(traefik.json.id);
      const unrelated = json.results.find((r: { id: string }) => r.id === other.json.id);
      if (unrelated) expect(unrelated.score).toBeLessThan(json.results[0].score);
    }
    const vacuum = await recall(key, "vacuum postgres", { tag });
    expect(vacuum.json.results[0].id).toBe(other.json.id);
    expect(vacuum.json.results[0]).toMatchObject({ kind: "negative_knowledge", subject: "postgres_vacuum", occurrences: 1 });
  });

  it("a private memory is not recalled by another agent; a retired one not at all", async () => {
    const a = await makeGrantedAgent([]);
    const b = await makeGrantedAgent([]);
    const subject = `secret_${unique("s").replace("-", "_")}`;
    const mine = await call(recordMemoryRoute, { token: a.key, body: { kind: "pattern", subject, body: "only for me", scope: "private" } });
    expect((await recall(a.key, subject)).json.results.map((r: { id: string }) => r.id)).toContain(mine.json.id);
    expect((await recall(b.key, subject)).json.results.map((r: { id: string }) => r.id)).not.toContain(mine.json.id);
    const shared = await call(recordMemoryRoute, { token: a.key, body: { kind: "pattern", subject: `${subject}_shared`, body: "everyone may know" } });
    await db.memory.update({ where: { id: shared.json.id }, data: { retiredAt: new Date(), retiredBy: "tests" } });
    expect((await recall(b.key, `${subject}_shared`)).json.results.map((r: { id: string }) => r.id)).not.toContain(shared.json.id);
  });

  it("bad input gets a clear 4xx and nothing is stored", async () => {
    const { key, agent } = await makeGrantedAgent([]);
    const empty = await call(recordMemoryRoute, { token: key, body: { kind: "pattern", subject: " ", body: "x" } });
    expect(empty.status).toBe(400);
    expect(empty.json.error.details[0].field).toBe("subject");
    const kind = await call(recordMemoryRoute, { token: key, body: { kind: "rumour", subject: "x", body: "x" } });
    expect(kind.json.error.details[0].field).toBe("kind");
    const huge = await call(recordMemoryRoute, { token: key, body: { kind: "pattern", subject: "x", body: "y".repeat(1024 * 1024) } });
    expect(huge.status).toBe(413);
    const long = await call(recordMemoryRoute, { token: key, body: { kind: "pattern", subject: "x", body: "y".repeat(20 * 1024) } });
    expect(long.status).toBe(400);
    expect(long.json.error.details[0].field).toBe("body");
    expect(await db.memory.count({ where: { authorAgentId: agent.id } })).toBe(0);
    expect((await recall(key, "")).status).toBe(400);
  });
});
