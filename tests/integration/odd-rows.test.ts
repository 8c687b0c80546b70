import { describe, expect, it } from "vitest";
import { actionResultRoute, getActionRoute } from "../../server/actions/action-routes";
import { listApprovalsRoute } from "../../server/approvals/approval-routes";
import { killTokenRoute, rootControlRoutes } from "../../server/control/control-routes";
import { NOT_SHOWN_KEY } from "../../server/lib/showable-json";
import type { TaskView } from "../../server/schemas/tasks";
import { getCurrentPolicy } from "../../server/policy/current-policy";
import { replayPolicy } from "../../server/policy/replay-policy";
import { createTask } from "../../server/tasks/create-task";
import { getTaskRoute } from "../../server/tasks/task-routes";
import { call, db, makeUser, makeUserWithToken, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool, propose } from "../support/guardrail-fixtures";
import { trpcOverHttp } from "../support/trpc-http";

/**
 * A list never fails because of one row. Each test writes an odd row straight into the database
 * (as a row from before the input checks, or a hand edit, would be) beside ordinary ones, and
 * reads the list over the wire as the console does: the list answers with every row, and the
 * odd value is shown as a marker. 3,000 levels overflowed superjson (tRPC), 6,000 overflowed
 * JSON.stringify (REST).
 */
const deepJson = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
const isMarker = (value: unknown) => typeof value === "object" && value !== null && Object.keys(value).includes(NOT_SHOWN_KEY);

async function pendingActions(count: number) {
  const tool = await makeTool({ scopes: [] });
  const { agent, key } = await makeGrantedAgent([tool.name]);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const proposed = await propose(key, { tool: tool.name, confidence: 0.1, args: { n: i } });
    expect(proposed.json.decision).toBe("require_approval");
    ids.push(proposed.json.id as string);
  }
  return { agent, ids };
}

describe("odd rows in the database", () => {
  it("the inbox (approvals.pending) shows every other pending action when one holds args nested 3,000 deep", async () => {
    const { agent, ids } = await pendingActions(3);
    await db.$executeRawUnsafe(`UPDATE actions SET args = $1::jsonb, reasons = $1::jsonb WHERE id = $2::uuid`, deepJson(3000), ids[1]);
    const approver = await makeUser("approver");
    const inbox = await trpcOverHttp(approver).approvals.pending.query({ agent: agent.name });
    expect(inbox.total).toBe(3);
    const byId = new Map(inbox.items.map((item) => [item.id, item]));
    expect(byId.get(ids[0]!)!.args).toEqual({ n: 0 });
    expect(byId.get(ids[2]!)!.args).toEqual({ n: 2 });
    expect(isMarker(byId.get(ids[1]!)!.args)).toBe(true);
    expect(byId.get(ids[1]!)!.reasons.map((r) => r.code)).toEqual(["not_shown"]);
  });

  it("the REST inbox and GET /actions/:id answer 200 with a row nested 6,000 deep", async () => {
    const { agent, ids } = await pendingActions(2);
    await db.$executeRawUnsafe(`UPDATE actions SET args = $1::jsonb WHERE id = $2::uuid`, deepJson(6000), ids[0]);
    const { token } = await makeUserWithToken("approver");
    const inbox = await call(listApprovalsRoute, { token, query: { agent: agent.name } });
    expect(inbox.status).toBe(200);
    expect(inbox.json.items).toHaveLength(2);
    expect(inbox.json.items.filter((item: { args: unknown }) => isMarker(item.args))).toHaveLength(1);
    const one = await call(getActionRoute, { token, params: { id: ids[0]! } });
    expect(one.status).toBe(200);
    expect(isMarker(one.json.args)).toBe(true);
  });

  it("actions.list and actions.get show the other rows; an odd row's args are a marker", async () => {
    const { agent, ids } = await pendingActions(3);
    await db.$executeRawUnsafe(`UPDATE actions SET approved_args = $1::jsonb, args = '"not an object"'::jsonb WHERE id = $2::uuid`, deepJson(3000), ids[2]);
    await db.$executeRawUnsafe(`UPDATE actions SET recalled = $1::jsonb WHERE id = $2::uuid`, `[${deepJson(3000)}]`, ids[0]);
    const viewer = await makeUser("viewer");
    const client = trpcOverHttp(viewer);
    const list = await client.actions.list.query({ agent: agent.name });
    expect(list.items.map((a) => a.id).sort()).toEqual([...ids].sort());
    const odd = list.items.find((a) => a.id === ids[2])!;
    expect(isMarker(odd.args)).toBe(true);
    expect(isMarker(odd.approvedArgs)).toBe(true);
    expect(list.items.find((a) => a.id === ids[0])!.recalled).toEqual([]);
    const detail = await client.actions.get.query({ id: ids[2]! });
    expect(isMarker(detail.action.args)).toBe(true);
  });

  it("policy replay runs over an action whose reasons and recalled memories are not lists", async () => {
    const { agent, ids } = await pendingActions(2);
    await db.$executeRawUnsafe(`UPDATE actions SET reasons = $1::jsonb, recalled = '{"odd": true}'::jsonb WHERE id = $2::uuid`, deepJson(3000), ids[0]);
    const current = await getCurrentPolicy(db, { fresh: true });
    const replay = await replayPolicy(db, { document: current.document, days: 1 });
    expect(replay.actions).toBeGreaterThanOrEqual(2);
    expect(replay.changed.filter((c) => c.agent === agent.name)).toEqual([]);
  });

  it("kill: an executed action whose stored undo is nested 6,000 deep goes to a human; the plan and the kill still work", async () => {
    const tool = await makeTool({ scopes: [] });
    const { agent, key } = await makeGrantedAgent([tool.name]);
    const executed = async (replicas: number) => {
      const proposed = await propose(key, { tool: tool.name, confidence: 0.99, reversible: true, undo: { tool: tool.name, args: { replicas } } });
      await call(actionResultRoute, { token: key, params: { id: proposed.json.id }, body: { status: "succeeded" } });
      return proposed.json.id as string;
    };
    const good = await executed(2);
    const odd = await executed(3);
    await db.$executeRawUnsafe(`UPDATE actions SET undo = jsonb_build_object('tool', 'x', 'args', $1::jsonb) WHERE id = $2::uuid`, deepJson(6000), odd);
    const operator = await makeUserWithToken("operator");
    const issued = await call(killTokenRoute, { token: operator.token, body: { scope: `agent:${agent.name}`, rollbackLast: 10 } });
    expect(issued.status).toBe(201);
    expect(issued.json.rollbackPlan.map((p: { actionId: string }) => p.actionId)).toEqual([good]);
    expect(issued.json.irreversible).toEqual([expect.objectContaining({ actionId: odd, undo: null })]);
    const killed = await call(rootControlRoutes.kill, { token: operator.token, body: { confirm: issued.json.token } });
    expect(killed.status).toBe(200);
    expect(killed.json).toMatchObject({ state: "killed", rollbacks: 1 });
  });

  it("fleet.tasks and fleet.task show every task when one holds a deep payload, checkpoint and output", async () => {
    const operator = await makeUser("operator");
    const capability = unique("cap").toLowerCase();
    const tasks: TaskView[] = [];
    for (let i = 0; i < 3; i++) tasks.push((await createTask(db, operator, { title: `task ${i}`, capability, payload: { n: i } })).task);
    await db.$executeRawUnsafe(
      `UPDATE tasks SET payload = $1::jsonb, checkpoint = $1::jsonb, output = '[1, 2]'::jsonb WHERE id = $2::uuid`,
      deepJson(3000),
      tasks[1]!.id,
    );
    await db.$executeRawUnsafe(`INSERT INTO task_events (task_id, type, data) VALUES ($1::uuid, 'odd', $2::jsonb)`, tasks[1]!.id, deepJson(3000));
    const client = trpcOverHttp(operator);
    const list = await client.fleet.tasks.query({ capability });
    expect(list).toHaveLength(3);
    const odd = list.find((t) => t.id === tasks[1]!.id)!;
    expect(isMarker(odd.payload)).toBe(true);
    expect(isMarker(odd.checkpoint)).toBe(true);
    expect(isMarker(odd.output)).toBe(true);
    expect(list.find((t) => t.id === tasks[0]!.id)!.payload).toEqual({ n: 0 });
    const detail = await client.fleet.task.query({ id: tasks[1]!.id });
    expect(detail.events.some((e) => isMarker(e.data))).toBe(true);

    await db.$executeRawUnsafe(`UPDATE tasks SET payload = $1::jsonb WHERE id = $2::uuid`, deepJson(6000), tasks[2]!.id);
    const { token } = await makeUserWithToken("viewer");
    const rest = await call(getTaskRoute, { token, params: { id: tasks[2]!.id } });
    expect(rest.status).toBe(200);
    expect(isMarker(rest.json.payload)).toBe(true);
  });

  it("audit.list shows every row when one holds data nested 3,000 deep", async () => {
    const label = unique("odd-actor");
    await db.$executeRawUnsafe(`INSERT INTO audit_log (actor_type, actor_label, verb, data) VALUES ('system', $1, 'test.ordinary', '{"n": 1}')`, label);
    await db.$executeRawUnsafe(
      `INSERT INTO audit_log (actor_type, actor_label, verb, data) VALUES ('system', $1, 'test.odd', $2::jsonb)`,
      label,
      deepJson(3000),
    );
    await db.$executeRawUnsafe(`INSERT INTO audit_log (actor_type, actor_label, verb, data) VALUES ('system', $1, 'test.ordinary', '{"n": 2}')`, label);
    const operator = await makeUser("operator");
    const page = await trpcOverHttp(operator).audit.list.query({ actor: label });
    expect(page.rows.map((r) => r.verb)).toEqual(["test.ordinary", "test.odd", "test.ordinary"]);
    expect(isMarker(page.rows[1]!.data)).toBe(true);
    expect(page.rows[0]!.data).toEqual({ n: 2 });
  });

  it("the memory browser lists every entry beside odd ones (control characters, a 500 KB body, odd tags)", async () => {
    const author = unique("odd-author");
    const insert = (subject: string, body: string, tags: string[]) =>
      db.$executeRawUnsafe(
        `INSERT INTO memories (id, kind, subject, subject_key, body, tags, author_label, updated_at)
         VALUES (gen_random_uuid(), 'pattern', $1, $2, $3, $4::text[], $5, now())`,
        subject,
        subject.toLowerCase(),
        body,
        tags,
        author,
      );
    await insert("ordinary lesson one", "restart the cache first", ["ops"]);
    await insert("odd \u0001\u001b[31m\u202e subject", `${"x".repeat(500_000)} tail`, ["", "Not A Slug", "\u0007"]);
    await insert("ordinary lesson two", "drain before restart", []);
    const viewer = await makeUser("viewer");
    const client = trpcOverHttp(viewer);
    const browsed = await client.memory.browse.query({ agent: author });
    expect(browsed).toHaveLength(3);
    const searched = await client.memory.browse.query({ q: "odd subject", agent: author });
    expect(searched.length).toBeGreaterThan(0);
    const detail = await client.memory.get.query({ id: browsed.find((m) => m.subject.startsWith("odd"))!.id });
    expect(detail.memory.body.length).toBeGreaterThan(500_000);
  });
});
