import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { actionResultRoute } from "../../server/actions/action-routes";
import { rejectRoute } from "../../server/approvals/approval-routes";
import { describeMemories } from "../../server/memory/describe-memories";
import { browseMemories, memoryDetail } from "../../server/memory/manage-memory";
import { recallMemories } from "../../server/memory/recall";
import { recallForDecision } from "../../server/memory/recall-for-decision";
import { recordMemoryRoute } from "../../server/memory/memory-routes";
import { call, db, makeUserWithToken, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

/** A made-up service name of letters only (typos apply to letters), unique to this run. */
function serviceName(): string {
  const letters = unique("")
    .replace(/[^a-f0-9]/g, "")
    .replace(/\d/g, (d) => "ghijklmnop"[Number(d)]!);
  return `sv${letters}`.slice(0, 10);
}

async function record(key: string, body: Record<string, unknown>) {
  const response = await call(recordMemoryRoute, { token: key, body });
  expect(response.status).toBeLessThan(300);
  return response.json.id as string;
}

async function fail(key: string, tool: string, action: string, resource: string, failureReason: string) {
  const { json } = await propose(key, { tool, action, resource, confidence: 0.99 });
  await call(actionResultRoute, { token: key, params: { id: json.id }, body: { status: "failed", failureReason } });
  return json.id as string;
}

describe("typos in any word (the issue's cases)", () => {
  it("trafik restrat, tarefik and cahce find their lessons, and the browser says which word was read as which", async () => {
    const { key } = await makeGrantedAgent([]);
    const tag = unique("t").toLowerCase();
    // Private: a lesson about restarting any traefik would otherwise reach the other suites' traefik
    // decisions (they share one database); a person's search sees private entries too.
    const traefik = await record(key, {
      kind: "negative_knowledge",
      subject: "traefik_restart",
      body: "config had invalid YAML",
      tags: [tag],
      scope: "private",
    });
    const cache = await record(key, { kind: "pattern", subject: "flush cache", body: "warm it again before traffic returns", tags: [tag], scope: "private" });
    for (const [q, id] of [
      ["trafik restrat", traefik],
      ["tarefik", traefik],
      ["traefk", traefik],
      ["cahce", cache],
      ["restart traefik", traefik],
    ] as const) {
      const hits = await browseMemories(db, { q, tag, status: "active", sort: "recent", limit: 10 });
      expect(hits[0]?.id, q).toBe(id);
    }
    const [hit] = await browseMemories(db, { q: "trafik restrat", tag, status: "active", sort: "recent", limit: 10 });
    expect(hit!.why).toMatchObject({ match: "same_subject", operation: "restart", resource: ["traefik"] });
    expect(hit!.why!.typos).toEqual(
      expect.arrayContaining([
        { asked: "trafik", read: "traefik" },
        { asked: "restrat", read: "restart" },
      ]),
    );
  });

  it("property: a lesson about an operation on a resource is recalled by a query with one typo in the resource's name", async () => {
    const { key } = await makeGrantedAgent([]);
    const name = serviceName();
    const id = await record(key, { kind: "negative_knowledge", subject: `restart ${name} on staging/${name}`, body: "the port was still bound" });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: name.length - 2 }), fc.integer({ min: 0, max: 3 }), async (i, kind) => {
        const typed =
          kind === 0
            ? name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2)
            : kind === 1
              ? name.slice(0, i) + name.slice(i + 1)
              : kind === 2
                ? name.slice(0, i) + name[i] + name.slice(i)
                : name.slice(0, i) + "z" + name.slice(i + 1);
        const found = await recallMemories(db, { q: `restart ${typed}`, agentId: null, limit: 5 });
        expect(
          found.map((m) => m.id),
          typed,
        ).toContain(id);
      }),
      { numRuns: 12 },
    );
  });
});

describe("repeated lessons merge", () => {
  it("six rejections for the same reason are one decision entry learned 6×, with each approver's provenance, and the renamed lesson ranks first", async () => {
    const tool = await makeTool({ prefix: "docker.restart", scopes: [] });
    const agent = await makeGrantedAgent([tool.name]);
    const name = serviceName();
    const approvers = await Promise.all(Array.from({ length: 6 }, () => makeUserWithToken("approver")));
    let lastAction = "";
    for (const approver of approvers) {
      const { json } = await propose(agent.key, { tool: tool.name, action: `docker restart ${name}`, resource: `staging/${name}`, confidence: 0.3 });
      await call(rejectRoute, { token: approver.token, params: { id: json.id }, body: { reason: "not during the release freeze" } });
      lastAction = json.id;
    }
    const renamed = await fail(
      agent.key,
      tool.name,
      `docker restart ${name}`,
      `staging/${name}`,
      `the container was renamed to ${name}-v2 and the old name no longer resolves`,
    );
    const decisions = await db.memory.findMany({ where: { kind: "decision", subject: { contains: name } } });
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.occurrences).toBe(6);
    const detail = await memoryDetail(db, decisions[0]!.id);
    expect(detail.learned).toHaveLength(6);
    expect(new Set(detail.learned.map((o) => o.authorLabel))).toEqual(new Set(approvers.map((a) => a.user.email)));
    expect(detail.learned[0]!.actionId).toBe(lastAction);

    const found = await recallMemories(db, { q: `docker restart ${name} renamed`, agentId: null, limit: 10 });
    expect(found[0]).toMatchObject({ kind: "negative_knowledge", actionId: renamed });
    expect(found[0]!.why.words).toContain("renamed");
    expect(found.filter((m) => m.kind === "decision")).toHaveLength(1);
  });
});

describe("matching follows the operation and the resource, not the tool's spelling", () => {
  it("a failure restarting web on staging/web lowers neither restart api on staging/api (similar tool) nor anything else; it lowers bounce web through a dissimilar tool", async () => {
    const prefix = unique("x").toLowerCase();
    const a = await makeTool({ prefix: `${prefix}a.restart`, scopes: ["staging/*"] });
    const b = await makeTool({ prefix: `${prefix}b.restart`, scopes: ["staging/*"] });
    const opaque = await makeTool({ prefix: "runbook.exec", scopes: ["staging/*"] });
    const agent = await makeGrantedAgent([a.name, b.name, opaque.name], ["staging/*"]);
    const web = serviceName();
    const api = serviceName();
    const lesson = await fail(agent.key, a.name, `restart ${web}`, `staging/${web}`, "the health check timed out");

    const other = await propose(agent.key, { tool: b.name, action: `restart ${api}`, resource: `staging/${api}`, confidence: 0.97 });
    expect(other.json.decision).toBe("auto_execute");
    expect(other.json.recalled).toEqual([]);

    const same = await propose(agent.key, { tool: opaque.name, action: `bounce ${web}`, resource: `staging/${web}`, confidence: 0.97 });
    expect(same.json.decision).toBe("execute_with_notification");
    expect(same.json.recalled[0]).toMatchObject({ kind: "negative_knowledge", why: { match: "same_subject", operation: "restart", resource: [web] } });
    const entry = await memoryDetail(db, same.json.recalled[0].id);
    expect(entry.memory.actionId).toBe(lesson);
    expect(entry.changedDecisions.map((d) => d.actionId)).toEqual([same.json.id]);
  });

  it("a word read a moment ago as its neighbour is read as itself once a failure brings it: the very next proposal recalls that failure", async () => {
    const prefix = unique("n").toLowerCase();
    const tool = await makeTool({ prefix: `${prefix}.restart`, scopes: ["staging/*"] });
    const agent = await makeGrantedAgent([tool.name], ["staging/*"]);
    const name = serviceName();
    // Its neighbour (one letter off) is in the vocabulary: a lesson of another agent names it.
    const neighbour = `${name.slice(0, -1)}${name.endsWith("z") ? "y" : "z"}`;
    const other = await makeGrantedAgent([]);
    await record(other.key, { kind: "pattern", subject: `restart ${neighbour}`, body: "drain it first", scope: "private" });
    // The first proposal reads the unknown name as that neighbour; then it fails.
    const first = await fail(agent.key, tool.name, `restart ${name}`, `staging/${name}`, "the unit file was missing");
    expect(first).toBeTruthy();
    // At once (within the second a reading was kept for): the name is a word of the memory now.
    const again = await propose(agent.key, { tool: tool.name, action: `restart ${name}`, resource: `staging/${name}`, confidence: 0.97 });
    expect(again.json.recalled.map((m: { body: string }) => m.body)).toContain("the unit file was missing");
    expect(again.json.decision).toBe("execute_with_notification");
  });

  it("a decision's recalled list holds only lessons about the same operation or resource, strongest first, each with why", async () => {
    const { key, agent } = await makeGrantedAgent([]);
    const name = serviceName();
    const neighbour = serviceName();
    await record(key, { kind: "negative_knowledge", subject: `restart ${name} on staging/${name}`, body: "port still bound" });
    await record(key, { kind: "pattern", subject: `deploy ${name} on staging/${name}`, body: "deploy after the backup" });
    await record(key, { kind: "negative_knowledge", subject: `restart ${neighbour} on staging/${neighbour}`, body: "port still bound" });
    await record(key, { kind: "pattern", subject: `restart ${name} on production/${name}`, body: "production needs a change ticket" });
    const recalled = await recallForDecision(db, { agentId: agent.id, action: `restart ${name}`, tool: "whatever.tool", resource: `staging/${name}` });
    expect(recalled.map((m) => [m.subject, m.why?.match])).toEqual([
      [`restart ${name} on staging/${name}`, "same_subject"],
      [`deploy ${name} on staging/${name}`, "same_resource"],
    ]);
  });

  it("property: a lesson about another operation and another resource never lowers a decision", async () => {
    const tool = await makeTool({ scopes: [] });
    const agent = await makeGrantedAgent([tool.name]);
    const verbs = ["restart", "deploy", "flush", "rotate", "scale"];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...verbs), fc.constantFrom(...verbs), fc.constantFrom("staging", "production"), async (learned, proposed, env) => {
        fc.pre(learned !== proposed);
        const [lessonName, queryName] = [serviceName(), serviceName()];
        await record(agent.key, { kind: "negative_knowledge", subject: `${learned} ${lessonName} on ${env}/${lessonName} (${tool.name})`, body: "it broke" });
        const { json } = await propose(agent.key, { tool: tool.name, action: `${proposed} ${queryName}`, resource: `${env}/${queryName}`, confidence: 0.97 });
        expect(json.decision).toBe("auto_execute");
      }),
      { numRuns: 8 },
    );
  });
});

describe("entries recorded before topics existed", () => {
  it("are filed under their topic by the describe pass (from their action when Warden learned them from one), then recalled", async () => {
    const tool = await makeTool({ prefix: "runbook.exec", scopes: ["staging/*"] });
    const agent = await makeGrantedAgent([tool.name], ["staging/*"]);
    const name = serviceName();
    await fail(agent.key, tool.name, `bounce ${name}`, `staging/${name}`, "the port was still bound");
    const typed = await record(agent.key, { kind: "pattern", subject: `${name} restart in staging`, body: "drain first" });
    await db.memory.updateMany({ where: { subject: { contains: name } }, data: { topicKey: null, operation: null, environment: null, names: [] } });
    expect(await recallForDecision(db, { agentId: agent.agent.id, action: `restart ${name}`, tool: null, resource: `staging/${name}` })).toEqual([]);
    while ((await describeMemories(db)) > 0);
    const rows = await db.memory.findMany({ where: { subject: { contains: name } }, select: { id: true, topicKey: true } });
    expect(rows.map((r) => r.topicKey)).toEqual([`restart|staging|${name}`, `restart|staging|${name}`]);
    const recalled = await recallForDecision(db, { agentId: agent.agent.id, action: `restart ${name}`, tool: null, resource: `staging/${name}` });
    expect(recalled.map((m) => m.id)).toContain(typed);
    expect(recalled.every((m) => m.why?.match === "same_subject")).toBe(true);
  });
});
