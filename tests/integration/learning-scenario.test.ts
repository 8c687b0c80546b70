import { describe, expect, it } from "vitest";
import { actionResultRoute } from "../../server/actions/action-routes";
import { rejectRoute } from "../../server/approvals/approval-routes";
import { learningSignals } from "../../server/memory/learning-signals";
import { memoryDetail } from "../../server/memory/manage-memory";
import { call, db, makeAgent, makeUserWithToken, unique } from "../support/fixtures";
import { makeTool, propose } from "../support/guardrail-fixtures";
import { rollUpNow } from "../support/rollup";

/**
 * The metrics page's claims about learning, checked on a script whose answers are known: a team
 * of four agents, two tools spelled differently for the same operation, and one service whose
 * restart keeps failing, beside a neighbour that shares words with it.
 */
describe("the learning signal on a scripted scenario", () => {
  it("counts repeated failures and recalls that preceded a changed plan exactly", async () => {
    const team = unique("team").toLowerCase();
    const prefix = unique("x").toLowerCase();
    const restartA = await makeTool({ prefix: `${prefix}a.restart`, scopes: ["staging/*"] });
    const restartB = await makeTool({ prefix: `${prefix}b.restart`, scopes: ["staging/*"] });
    const deploy = await makeTool({ prefix: `${prefix}.deploy`, scopes: ["staging/*"] });
    const tools = [restartA.name, restartB.name, deploy.name];
    const [ada, bo, cy, di] = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const { agent, key } = await makeAgent({ tools, scopes: ["staging/*"], team });
        return { agent, key: key.secret };
      }),
    );
    const { token } = await makeUserWithToken("approver");
    const service = `svc${unique("").replace(/[^a-z0-9]/g, "")}`;
    const neighbour = `${service}x`;
    const resource = `staging/${service}`;
    const from = new Date(Date.now() - 1000);
    const report = (key: string, id: string, failureReason: string) =>
      call(actionResultRoute, { token: key, params: { id }, body: { status: "failed", failureReason } });

    // 1. Ada restarts the service and it fails: the first lesson. Not a repeat (nothing was known).
    const first = await propose(ada!.key, { tool: restartA.name, action: `restart ${service}`, resource, confidence: 0.97 });
    expect(first.json.decision).toBe("auto_execute");
    await report(ada!.key, first.json.id, "port 8443 was still bound by a stale process");

    // 2. Bo bounces it through the other tool: warned, lowered to a notification, runs as proposed
    //    (no plan change), and fails again: a repeated failure.
    const second = await propose(bo!.key, { tool: restartB.name, action: `bounce ${service}`, resource, confidence: 0.97 });
    expect(second.json.decision).toBe("execute_with_notification");
    expect(second.json.reasons.map((r: { code: string }) => r.code)).toContain("matching_failure");
    await report(bo!.key, second.json.id, "port 8443 was still bound by a stale process");

    // 3. Cy asks at low confidence: warned (the decision waits for a person either way, so the
    //    warning did not change it); the approver rejects and Cy does not try again: a plan change.
    const third = await propose(cy!.key, { tool: restartA.name, action: `restart ${service}`, resource, confidence: 0.4 });
    expect(third.json.status).toBe("pending_approval");
    expect(third.json.recalled[0]).toMatchObject({ kind: "negative_knowledge", why: { match: "same_subject" } });
    await call(rejectRoute, { token, params: { id: third.json.id }, body: { reason: "free the port first" } });

    // 4. Di restarts the neighbour (shares the operation, the environment and most letters): not
    //    warned, and its failure is not a repeat.
    const fourth = await propose(di!.key, { tool: restartA.name, action: `restart ${neighbour}`, resource: `staging/${neighbour}`, confidence: 0.97 });
    expect(fourth.json.decision).toBe("auto_execute");
    await report(di!.key, fourth.json.id, "the image was missing");

    // 5. Di deploys the service: the same resource, another operation. Handed the lessons about the
    //    resource, not warned (the failures were restarts), and its failure is not a repeat.
    const fifth = await propose(di!.key, { tool: deploy.name, action: `deploy ${service}`, resource, confidence: 0.97 });
    expect(fifth.json.decision).toBe("auto_execute");
    expect(fifth.json.recalled.map((m: { why: { match: string } }) => m.why.match)).toContain("same_resource");
    await report(di!.key, fifth.json.id, "the registry was down");

    await rollUpNow();
    const signals = await learningSignals(db, { from, to: new Date(Date.now() + 1000), team });
    expect(signals).toMatchObject({ decisions: 5, failures: 4, repeatedFailures: 1, warnedDecisions: 2, planChanges: 1 });

    // The lesson (one entry, learned twice) lists the one decision it changed: Bo's.
    const lesson = second.json.recalled[0].id as string;
    const detail = await memoryDetail(db, lesson);
    expect(detail.memory.occurrences).toBe(2);
    expect(detail.learned.map((o) => o.actionId)).toEqual([second.json.id, first.json.id]);
    expect(detail.changedDecisions.map((d) => d.actionId)).toEqual([second.json.id]);
    const repeated = await db.action.findMany({
      where: { id: { in: [first.json.id, second.json.id, fourth.json.id, fifth.json.id] } },
      select: { id: true, repeatedFailure: true },
    });
    expect(Object.fromEntries(repeated.map((a) => [a.id, a.repeatedFailure]))).toEqual({
      [first.json.id]: false,
      [second.json.id]: true,
      [fourth.json.id]: false,
      [fifth.json.id]: false,
    });
  });
});
