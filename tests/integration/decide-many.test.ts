import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createCaller } from "../../server/api/root";
import type { UserActor } from "../../server/auth/actor";
import type { Db } from "../../server/db/client";
import { AppError } from "../../server/errors";
import { db, makeUser } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";

/*
 * Batch approve and reject from the inbox (approvals.decideMany): each action is its own
 * decision, so some may succeed while others fail, and what the browser is told about a failure
 * is only what the one-at-a-time path would show it.
 */

const callerFor = (user: UserActor, database: Db = db) => createCaller({ db: database, user, ip: "127.0.0.1" });

async function pendingActions(count: number, options: { risk?: "low" | "critical" } = {}) {
  const tool = await makeTool({ scopes: [], risk: options.risk ?? "low" });
  const { agent, key } = await makeGrantedAgent([tool.name]);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await propose(key, { tool: tool.name, confidence: 0.4 });
    expect(response.json.status).toBe("pending_approval");
    ids.push(response.json.id as string);
  }
  return { ids, agent };
}

/**
 * The real client, except that the `failOn`-th transaction (counting from 1) fails with
 * `error`: an unexpected failure inside one decision of a batch, such as a lost connection.
 */
function failingTransaction(failOn: number, error: unknown): Db {
  let transactions = 0;
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === "$transaction") {
        return (...args: Parameters<Db["$transaction"]>) => {
          transactions += 1;
          if (transactions === failOn) return Promise.reject(error);
          return (target.$transaction as (...a: unknown[]) => unknown)(...args);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

afterEach(() => vi.restoreAllMocks());

describe("approvals.decideMany", () => {
  it("approves several at once, and reports each failure with the one-at-a-time message", async () => {
    const { ids } = await pendingActions(4);
    const approver = await makeUser("approver");
    const other = await makeUser("approver");
    await callerFor(other).approvals.reject({ actionId: ids[1]!, reason: "not this one" });
    const missing = randomUUID();

    const results = await callerFor(approver).approvals.decideMany({ verdict: "approve", actionIds: [ids[0]!, ids[1]!, missing, ids[2]!, ids[3]!] });

    // One answer per id, in the order asked.
    expect(results.map((r) => r.id)).toEqual([ids[0], ids[1], missing, ids[2], ids[3]]);
    expect(results.filter((r) => r.ok).map((r) => r.status)).toEqual(["approved", "approved", "approved"]);
    expect(results[1]).toMatchObject({ ok: false, code: "CONFLICT" });
    expect(results[1]!.error).toMatch(new RegExp(`^Already rejected by ${other.email} at `));
    expect(results[2]).toEqual({ id: missing, ok: false, code: "NOT_FOUND", error: `action ${missing} was not found` });
    const stored = await db.action.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, decidedByLabel: true } });
    expect(Object.fromEntries(stored.map((a) => [a.id, [a.status, a.decidedByLabel]]))).toEqual({
      [ids[0]!]: ["approved", approver.email],
      [ids[1]!]: ["rejected", other.email],
      [ids[2]!]: ["approved", approver.email],
      [ids[3]!]: ["approved", approver.email],
    });
    // Each decision is audited on its own.
    expect(await db.auditLog.count({ where: { verb: "action.approve", subjectId: { in: ids } } })).toBe(3);
  });

  it("rejects several with one reason, which each action and its audit row carry", async () => {
    const { ids } = await pendingActions(2);
    const approver = await makeUser("approver");
    const results = await callerFor(approver).approvals.decideMany({ verdict: "reject", actionIds: ids, reason: "wrong maintenance window" });
    expect(results).toEqual(ids.map((id) => ({ id, ok: true, status: "rejected" })));
    const stored = await db.action.findMany({ where: { id: { in: ids } } });
    expect(stored.map((a) => a.reason)).toEqual(["wrong maintenance window", "wrong maintenance window"]);
    const audits = await db.auditLog.findMany({ where: { verb: "action.reject", subjectId: { in: ids } } });
    expect(audits.map((a) => a.data)).toEqual([{ reason: "wrong maintenance window" }, { reason: "wrong maintenance window" }]);
  });

  it("needs the approver role (or higher), and a reason to reject", async () => {
    const { ids } = await pendingActions(3);
    const viewer = await makeUser("viewer");
    await expect(callerFor(viewer).approvals.decideMany({ verdict: "approve", actionIds: ids })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const approver = await makeUser("approver");
    await expect(callerFor(approver).approvals.decideMany({ verdict: "reject", actionIds: ids, reason: " " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(callerFor(approver).approvals.decideMany({ verdict: "approve", actionIds: [] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const untouched = await db.action.findMany({ where: { id: { in: ids } }, select: { status: true } });
    expect(untouched.map((a) => a.status)).toEqual(["pending_approval", "pending_approval", "pending_approval"]);
    // Each role from approver up may decide.
    for (const [i, role] of (["approver", "operator", "admin"] as const).entries()) {
      const [result] = await callerFor(await makeUser(role)).approvals.decideMany({ verdict: "approve", actionIds: [ids[i]!] });
      expect(result).toEqual({ id: ids[i], ok: true, status: "approved" });
    }
  });

  it("counts a batch approval of a critical action as one vote toward its quorum, never the owner's", async () => {
    const { ids, agent } = await pendingActions(2, { risk: "critical" });
    const { ownerId } = await db.agent.findUniqueOrThrow({ where: { id: agent.id }, select: { ownerId: true } });
    const ownerRow = await db.user.findUniqueOrThrow({ where: { id: ownerId! } });
    const owner: UserActor = { type: "user", id: ownerRow.id, label: ownerRow.email, role: ownerRow.role! };
    const first = await makeUser("approver");
    const second = await makeUser("approver");

    const byOwner = await callerFor(owner).approvals.decideMany({ verdict: "approve", actionIds: ids });
    expect(byOwner.map((r) => [r.ok, r.code])).toEqual([
      [false, "FORBIDDEN"],
      [false, "FORBIDDEN"],
    ]);
    expect(byOwner[0]!.error).toContain("cannot count toward its quorum");

    const byFirst = await callerFor(first).approvals.decideMany({ verdict: "approve", actionIds: ids });
    expect(byFirst.map((r) => r.status)).toEqual(["pending_approval", "pending_approval"]);
    const again = await callerFor(first).approvals.decideMany({ verdict: "approve", actionIds: [ids[0]!] });
    expect(again[0]).toMatchObject({ ok: false, code: "CONFLICT" });
    expect(again[0]!.error).toContain("You already approved this action");

    const bySecond = await callerFor(second).approvals.decideMany({ verdict: "approve", actionIds: ids });
    expect(bySecond.map((r) => r.status)).toEqual(["approved", "approved"]);
    expect(await db.approvalVote.count({ where: { actionId: { in: ids } } })).toBe(4);
  });

  it("tells the browser nothing of an unexpected error: a generic message, the details in the log", async () => {
    const { ids } = await pendingActions(3);
    const approver = await makeUser("approver");
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const secret = new Error('connection to server at "10.0.0.5", port 5432 failed: password authentication failed for user "warden"');

    const results = await callerFor(approver, failingTransaction(2, secret)).approvals.decideMany({ verdict: "approve", actionIds: ids });

    expect(results[0]).toEqual({ id: ids[0], ok: true, status: "approved" });
    expect(results[1]).toEqual({ id: ids[1], ok: false, code: "INTERNAL", error: "Internal error: the server log has the details" });
    expect(results[2]).toEqual({ id: ids[2], ok: true, status: "approved" });
    expect(JSON.stringify(results)).not.toMatch(/10\.0\.0\.5|password|warden"/);
    // The log has what the browser was not told, with the action it concerned.
    expect(log).toHaveBeenCalledWith(expect.stringContaining(ids[1]!), secret);
    expect((await db.action.findUniqueOrThrow({ where: { id: ids[1]! } })).status).toBe("pending_approval");
  });

  it("hides a 5xx AppError's message and a thrown non-Error the same way", async () => {
    const { ids } = await pendingActions(2);
    const approver = await makeUser("approver");
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const internal = new AppError("INTERNAL", "the audit chain at seq 1234 is broken: hash 9f86d0…");
    const [first] = await callerFor(approver, failingTransaction(1, internal)).approvals.decideMany({ verdict: "approve", actionIds: [ids[0]!] });
    expect(first).toEqual({ id: ids[0], ok: false, code: "INTERNAL", error: "Internal error: the server log has the details" });
    const [second] = await callerFor(approver, failingTransaction(1, "raw string from a driver")).approvals.decideMany({
      verdict: "approve",
      actionIds: [ids[1]!],
    });
    expect(second).toEqual({ id: ids[1], ok: false, code: "INTERNAL", error: "Internal error: the server log has the details" });
    expect(log).toHaveBeenCalledTimes(2);
  });
});
