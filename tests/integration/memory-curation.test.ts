import { describe, expect, it } from "vitest";
import { actionResultRoute } from "../../server/actions/action-routes";
import { rejectRoute } from "../../server/approvals/approval-routes";
import { editMemory } from "../../server/memory/edit-memory";
import { learningSignals } from "../../server/memory/learning-signals";
import { agentMemories, browseMemories, setMemoryRetired } from "../../server/memory/manage-memory";
import { findDuplicateCandidates, mergeMemories } from "../../server/memory/merge-memories";
import { recallMemories } from "../../server/memory/recall";
import { matchingFailures, recallForDecision } from "../../server/memory/recall-for-decision";
import { actionSubject } from "../../server/memory/subject-key";
import { recallRoute, recordMemoryRoute } from "../../server/memory/memory-routes";
import { auditRows, call, db, makeUser, makeUserWithToken, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";
import { rollUpNow } from "../support/rollup";

async function record(key: string, body: Record<string, unknown>) {
  const response = await call(recordMemoryRoute, { token: key, body });
  expect(response.status).toBe(201);
  return response.json.id as string;
}

function word(prefix: string) {
  return `${prefix}${unique("")
    .replace(/[^a-z0-9]/gi, "")
    .toLowerCase()}`;
}

describe("editing a memory", () => {
  it("keeps the replaced text as a version, re-files the subject, and is audited", async () => {
    const { key } = await makeGrantedAgent([]);
    const editor = await makeUser("approver");
    const service = word("svc");
    const id = await record(key, { kind: "negative_knowledge", subject: `restart ${service}`, body: "it broke" });
    const edited = await editMemory(db, editor, {
      id,
      version: 1,
      subject: `reload ${service}`,
      body: "reload, do not restart: restarts drop connections",
      note: "clearer",
    });
    expect(edited).toMatchObject({ version: 2, subjectKey: `reload ${service}` });
    const versions = await db.memoryVersion.findMany({ where: { memoryId: id } });
    expect(versions).toEqual([
      expect.objectContaining({ version: 1, subject: `restart ${service}`, body: "it broke", replacedBy: editor.label, note: "clearer" }),
    ]);
    const [audit] = await auditRows({ verb: "memory.edit", subjectId: id });
    expect(audit!.data).toMatchObject({ version: 2, changes: expect.arrayContaining([expect.objectContaining({ path: "body", from: "it broke" })]) });
    // Recall finds it under its new words.
    const found = await recallMemories(db, { q: `${service} reload`, agentId: null });
    expect(found[0]?.id).toBe(id);
    // A second edit records who wrote version 2 (the first editor).
    await editMemory(db, editor, { id, version: 2, tags: ["networking"] });
    const v2 = await db.memoryVersion.findUniqueOrThrow({ where: { memoryId_version: { memoryId: id, version: 2 } } });
    expect(v2.author).toBe(editor.label);
  });

  it("refuses an edit made on an outdated version, and two racing editors: exactly one wins", async () => {
    const { key } = await makeGrantedAgent([]);
    const [a, b] = [await makeUser("approver"), await makeUser("approver")];
    const id = await record(key, { kind: "pattern", subject: word("race"), body: "original" });
    const results = await Promise.allSettled([editMemory(db, a, { id, version: 1, body: "from a" }), editMemory(db, b, { id, version: 1, body: "from b" })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const loser = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(loser.reason).toMatchObject({ code: "CONFLICT" });
    expect(await db.memoryVersion.count({ where: { memoryId: id } })).toBe(1);
    expect((await db.memory.findUniqueOrThrow({ where: { id } })).version).toBe(2);
  });

  it("rejects bad edits with the field named and writes nothing", async () => {
    const { key } = await makeGrantedAgent([]);
    const editor = await makeUser("approver");
    const id = await record(key, { kind: "pattern", subject: word("bad"), body: "text" });
    await expect(editMemory(db, editor, { id, version: 1, subject: "   " })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ["subject"] })],
    });
    await expect(editMemory(db, editor, { id, version: 1, body: "text" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await setMemoryRetired(db, editor, id, true);
    await expect(editMemory(db, editor, { id, version: 1, body: "new" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await db.memoryVersion.count({ where: { memoryId: id } })).toBe(0);
  });
});

describe("merging duplicates", () => {
  it("folds counts into the kept entry; the duplicates retire, superseded by it, and leave recall", async () => {
    const a = await makeGrantedAgent([]);
    const b = await makeGrantedAgent([]);
    const approver = await makeUser("approver");
    const service = word("dup");
    const keep = await record(a.key, { kind: "negative_knowledge", subject: `restart ${service}`, body: "the config had invalid YAML", tags: ["docker"] });
    const dup = await record(b.key, {
      kind: "negative_knowledge",
      subject: `${service} restart`,
      body: "config YAML was invalid, validate first",
      tags: ["yaml"],
    });
    await db.memory.update({ where: { id: dup }, data: { occurrences: 3, timesRecalled: 4 } });
    expect((await findDuplicateCandidates(db, keep)).map((c) => c.id)).toContain(dup);

    const merged = await mergeMemories(db, approver, { keepId: keep, duplicateIds: [dup] });
    expect(merged).toMatchObject({ occurrences: 4, timesRecalled: 4, tags: ["docker", "yaml"] });
    expect(await db.memory.findUniqueOrThrow({ where: { id: dup } })).toMatchObject({ supersededById: keep, retiredBy: approver.label });
    const recalled = (await recallMemories(db, { q: `restart ${service}`, agentId: null })).map((m) => m.id);
    expect(recalled).toContain(keep);
    expect(recalled).not.toContain(dup);
    expect(await auditRows({ verb: "memory.merge", subjectId: keep })).toHaveLength(1);
    // A retired entry cannot be merged again; nothing changes.
    await expect(mergeMemories(db, approver, { keepId: keep, duplicateIds: [dup] })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await db.memory.findUniqueOrThrow({ where: { id: keep } })).occurrences).toBe(4);
  });

  it("refuses merging an entry into itself, across kinds, or a duplicate listed twice", async () => {
    const { key } = await makeGrantedAgent([]);
    const approver = await makeUser("approver");
    const one = await record(key, { kind: "pattern", subject: word("k"), body: "x" });
    const other = await record(key, { kind: "decision", subject: word("k"), body: "y" });
    await expect(mergeMemories(db, approver, { keepId: one, duplicateIds: [one] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(mergeMemories(db, approver, { keepId: one, duplicateIds: [other] })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(mergeMemories(db, approver, { keepId: one, duplicateIds: [other, other] })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ["duplicateIds"] })],
    });
    expect(await db.memory.count({ where: { id: { in: [one, other] }, retiredAt: { not: null } } })).toBe(0);
  });

  it("two approvers merging crosswise at once: one merge wins, no entry is lost", async () => {
    const { key } = await makeGrantedAgent([]);
    const [p, q] = [await makeUser("approver"), await makeUser("approver")];
    const subject = word("cross");
    const x = await record(key, { kind: "pattern", subject, body: "one" });
    const y = await record(key, { kind: "pattern", subject, body: "two" });
    const results = await Promise.allSettled([mergeMemories(db, p, { keepId: x, duplicateIds: [y] }), mergeMemories(db, q, { keepId: y, duplicateIds: [x] })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rows = await db.memory.findMany({ where: { id: { in: [x, y] } } });
    expect(rows.filter((r) => r.retiredAt === null)).toHaveLength(1);
    expect(rows.find((r) => r.retiredAt === null)!.occurrences).toBe(2);
  });
});

describe("recall beyond the subject", () => {
  it("finds a lesson filed under another subject when its text holds every query word", async () => {
    const { key } = await makeGrantedAgent([]);
    const rare = word("zz");
    const id = await record(key, {
      kind: "pattern",
      subject: "weekly maintenance window",
      body: `Before touching ${rare} drain the ${rare} connections first`,
    });
    const { json } = await call(recallRoute, { token: key, query: { q: `${rare} connections` } });
    expect(json.results[0]?.id).toBe(id);
  });
});

describe("the console's filters and the agent page", () => {
  it("filters by author, tag and age, lists retired entries apart, and shows an agent what it taught and was handed", async () => {
    const a = await makeGrantedAgent([]);
    const b = await makeGrantedAgent([]);
    const approver = await makeUser("approver");
    const tag = word("tag");
    const mine = await record(a.key, { kind: "pattern", subject: `${tag} alpha`, body: "from a", tags: [tag] });
    const theirs = await record(b.key, { kind: "pattern", subject: `${tag} beta`, body: "from b", tags: [tag] });
    const old = await record(a.key, { kind: "pattern", subject: `${tag} gamma`, body: "old news", tags: [tag] });
    await db.memory.update({ where: { id: old }, data: { lastLearnedAt: new Date(Date.now() - 40 * 86400_000) } });

    const byTag = await browseMemories(db, { tag, status: "active", sort: "recent", limit: 50 });
    expect(byTag.map((m) => m.id).sort()).toEqual([mine, theirs, old].sort());
    const byAgent = await browseMemories(db, { tag, agent: a.agent.name, status: "active", sort: "recent", limit: 50 });
    expect(byAgent.map((m) => m.id).sort()).toEqual([mine, old].sort());
    const recent = await browseMemories(db, { q: tag, tag, agent: a.agent.name, sinceDays: 30, status: "active", sort: "recent", limit: 50 });
    expect(recent.map((m) => m.id)).toEqual([mine]);

    await setMemoryRetired(db, approver, theirs, true);
    expect((await browseMemories(db, { tag, status: "active", sort: "recent", limit: 50 })).map((m) => m.id)).not.toContain(theirs);
    const retired = await browseMemories(db, { q: "beta", tag, status: "retired", sort: "recent", limit: 50 });
    expect(retired).toEqual([expect.objectContaining({ id: theirs, retired: true })]);

    await call(recallRoute, { token: b.key, query: { q: `${tag} alpha` } });
    const page = await agentMemories(db, b.agent.id);
    expect(page.recalled.map((m) => m.id)).toContain(mine);
    expect((await agentMemories(db, a.agent.id)).learned.map((m) => m.id).sort()).toEqual([mine, old].sort());
  });
});

describe("learning signals", () => {
  it("counts repeated failures, recalls per decision and plan changes after a warning", async () => {
    const tool = await makeTool({ scopes: [] });
    const agent = await makeGrantedAgent([tool.name]);
    const { token } = await makeUserWithToken("approver");
    const from = new Date(Date.now() - 1000);
    const action = `restart ${word("sig")}`;
    // 1st failure: nothing was known yet. 2nd: the lesson existed, so it is a repeat.
    for (let i = 0; i < 2; i++) {
      const { json } = await propose(agent.key, { tool: tool.name, action, confidence: 0.99 });
      await call(actionResultRoute, { token: agent.key, params: { id: json.id }, body: { status: "failed", failureReason: "config had invalid YAML" } });
    }
    // Warned again, at low confidence so it waits for a person, who rejects it; the agent does not
    // propose it again: its plan changed.
    const warned = await propose(agent.key, { tool: tool.name, action, confidence: 0.3 });
    expect(warned.json.recalled[0]).toMatchObject({ kind: "negative_knowledge" });
    expect(warned.json.status).toBe("pending_approval");
    await call(rejectRoute, { token, params: { id: warned.json.id }, body: { reason: "validate first" } });

    await rollUpNow();
    const signals = await learningSignals(db, { from, to: new Date(Date.now() + 1000), agentId: agent.agent.id });
    expect(signals).toMatchObject({ decisions: 3, failures: 2, repeatedFailures: 1, warnedDecisions: 2, planChanges: 1 });
    expect(signals.recalls).toBeGreaterThanOrEqual(2);

    // Proposing the same action unchanged right after means the plan did not change.
    await propose(agent.key, { tool: tool.name, action, confidence: 0.3 });
    await rollUpNow();
    const after = await learningSignals(db, { from, to: new Date(Date.now() + 1000), agentId: agent.agent.id });
    expect(after.planChanges).toBe(0);
  });
});

describe("recall keeps fresh failures", () => {
  it("a decision is handed a new failure even when stronger entries fill its subject and a neighbour's", async () => {
    const { key, agent } = await makeGrantedAgent([]);
    const action = { action: `restart ${word("svc")}`, tool: "docker.restart", resource: null };
    const subject = actionSubject(action);
    for (const s of [subject, `${subject} again`]) {
      for (let i = 0; i < 3; i++) {
        const id = await record(key, { kind: "pattern", subject: s, body: `${word("p")} ${word("q")} ${word("r")}` });
        await db.memory.update({ where: { id }, data: { occurrences: 5 } });
      }
    }
    const fresh = await record(key, { kind: "negative_knowledge", subject, body: "the new config had invalid YAML" });
    const recalled = await recallForDecision(db, { agentId: agent.id, ...action });
    expect(recalled.map((m) => m.id)).toContain(fresh);
    expect(matchingFailures(recalled, 30).map((m) => m.id)).toContain(fresh);
  });
});
