import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, describe, expect, it } from "vitest";
import { proposeAction } from "../../server/actions/propose-action";
import { getEffectiveControl } from "../../server/control/effective-state";
import { PrismaClient } from "../../server/db/generated/client";
import { foldRecalls } from "../../server/memory/fold-recalls";
import { recordMemory } from "../../server/memory/record-memory";
import { db, unique } from "../support/fixtures";
import { makeGrantedAgent, makeTool } from "../support/guardrail-fixtures";

// A second client with a pool of its own: what a second Warden instance on the same database is
// to the first (the end-to-end spec e2e/decision-load.spec.ts runs two real processes).
const second = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL!, max: 20 }) });
afterAll(() => second.$disconnect());

describe("200 concurrent proposals sharing the same remembered failures", () => {
  it("every one gets its decision and audit row, no deadlock; the recall counts are exact once folded", async () => {
    // Words no other suite uses: these lessons are shared, and the suites share one database.
    const tool = await makeTool({ scopes: [] });
    const agents = await Promise.all(
      Array.from({ length: 20 }, async () => ({ agent: await db.agent.findUniqueOrThrow({ where: { id: (await makeGrantedAgent([tool.name])).agent.id } }) })),
    );
    const service = unique("quasar").replace(/[^a-z0-9]/gi, "");
    // Five lessons on the same subject: every proposal below recalls all of them.
    const author = agents[0]!.agent;
    const lessons: string[] = [];
    for (let i = 0; i < 5; i++) {
      const recorded = await recordMemory(
        db,
        { type: "agent", id: author.id, label: author.name, role: "specialist", team: author.team },
        {
          kind: "negative_knowledge",
          subject: `recycle ${service} on nebula/${service} (${tool.name})`,
          body: [
            "The config had invalid YAML: validate it first.",
            "Port 443 was already bound by a stale container.",
            "A missing volume mount left the certificates unreadable.",
            "An outdated image tag pulled a broken build.",
            "DNS lookups timed out while the resolver restarted.",
          ][i]!,
        },
      );
      lessons.push(recorded.id);
    }
    expect(new Set(lessons).size).toBe(5);
    const controls = await Promise.all(agents.map((a) => getEffectiveControl(db, a.agent.id)));

    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        proposeAction(
          i % 2 === 0 ? db : second,
          { agent: agents[i % 20]!.agent, control: controls[i % 20]! },
          {
            action: `recycle ${service}`,
            tool: tool.name,
            resource: `nebula/${service}`,
            confidence: 0.99,
            args: { n: i },
          },
        ),
      ),
    );
    const failures = outcomes.filter((o) => o.status === "rejected").map((o) => String((o as PromiseRejectedResult).reason).slice(0, 300));
    expect(failures).toEqual([]);
    const answers = outcomes.map((o) => (o as PromiseFulfilledResult<Awaited<ReturnType<typeof proposeAction>>>).value);
    // The lessons were recalled and lowered every decision (the recall happened, not only its bookkeeping).
    for (const answer of answers) {
      expect(answer.decision).toBe("execute_with_notification");
      expect(answer.recalled.map((m) => m.id)).toEqual(expect.arrayContaining(lessons));
    }
    const ids = answers.map((a) => a.id);
    expect(await db.action.count({ where: { id: { in: ids } } })).toBe(200);
    expect(await db.auditLog.count({ where: { verb: "action.propose", subjectId: { in: ids } } })).toBe(200);
    expect(await db.memoryRecall.count({ where: { actionId: { in: ids }, memoryId: { in: lessons } } })).toBe(1000);

    // The counters on the entries: every recall counted exactly once, whoever folds.
    await Promise.all([foldRecalls(db), foldRecalls(second), foldRecalls(db)]);
    const entries = await db.memory.findMany({ where: { id: { in: lessons } } });
    for (const entry of entries) {
      expect(entry.timesRecalled).toBe(200);
      expect(entry.lastRecalledAt).not.toBeNull();
    }
  }, 120_000);
});
