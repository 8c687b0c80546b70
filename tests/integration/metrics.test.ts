import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Prisma } from "../../server/db/generated/client";
import { brierScore, expectedCalibrationError } from "../../server/metrics/calibration";
import { detectDrift } from "../../server/metrics/detect-drift";
import { evaluateInterventionAlerts } from "../../server/metrics/intervention-alerts";
import { loadOverview } from "../../server/metrics/metrics-queries";
import { db, makeAgent } from "../support/fixtures";
import { rollUpNow } from "../support/rollup";

const HOUR = 3600_000;

/** An action row as the guardrail would have written it, at a chosen time. */
function actionAt(agentId: string, at: Date, fields: Partial<Prisma.ActionCreateManyInput>): Prisma.ActionCreateManyInput {
  return {
    agentId,
    action: "restart web",
    tool: "docker.restart",
    confidence: 0.9,
    decision: "auto_execute",
    policyVersion: 1,
    status: "succeeded",
    createdAt: at,
    ...fields,
  };
}

function humanDecision(at: Date, latencyMs: number, fields: Partial<Prisma.ActionCreateManyInput>): Partial<Prisma.ActionCreateManyInput> {
  return { decision: "require_approval", decidedById: randomUUID(), decidedByLabel: "approver@test", decidedAt: new Date(at.getTime() + latencyMs), ...fields };
}

describe("metrics over a small known data set", () => {
  it("intervention rate, approval latency p50/p90, rubber stamps, failures and calibration", async () => {
    const { agent } = await makeAgent();
    const hour = new Date(Math.floor(Date.now() / HOUR) * HOUR - 50 * HOUR);
    const at = (minute: number) => new Date(hour.getTime() + minute * 60_000);
    const auto = [
      { confidence: 0.9, status: "succeeded" },
      { confidence: 0.9, status: "succeeded" },
      { confidence: 0.8, status: "succeeded" },
      { confidence: 0.8, status: "failed" },
      { confidence: 0.95, status: "succeeded" },
      { confidence: 0.6, status: "failed", repeatedFailure: true },
    ] as const;
    await db.action.createMany({
      data: [
        ...auto.map((a, i) => actionAt(agent.id, at(i), { ...a })),
        actionAt(agent.id, at(10), { decision: "deny", status: "denied" }),
        // Five waited for a person: approved in 1 s (a rubber stamp) and in 10 s, edited in 3 s,
        // rejected in 20 s, and one expired; a sixth is still pending.
        actionAt(agent.id, at(20), humanDecision(at(20), 1_000, { status: "approved" })),
        actionAt(agent.id, at(21), humanDecision(at(21), 10_000, { status: "succeeded" })),
        actionAt(agent.id, at(22), humanDecision(at(22), 3_000, { status: "approved", argsEdited: true })),
        actionAt(agent.id, at(23), humanDecision(at(23), 20_000, { status: "rejected" })),
        actionAt(agent.id, at(24), { decision: "require_approval", status: "expired" }),
        actionAt(agent.id, at(25), { decision: "require_approval", status: "pending_approval" }),
      ],
    });
    await rollUpNow();
    const overview = await loadOverview(db, { from: new Date(hour.getTime() - HOUR), to: new Date(hour.getTime() + 2 * HOUR), agentId: agent.id });
    expect(overview.bucket).toBe("hour");
    // Interventions: approved 2 + edited 1 + rejected 1 + expired 1 = 5; decided: 6 autonomous + 1
    // denied + 5 = 12 (the pending one is not decided yet): 5 / 12.
    expect(overview.totals.intervention).toMatchObject({ interventions: 5, decided: 12, flagged: true });
    expect(overview.totals.intervention.rate).toBeCloseTo(5 / 12, 10);
    expect(overview.totals).toMatchObject({
      decisions: 13,
      autoExecute: 6,
      deny: 1,
      requireApproval: 6,
      pending: 1,
      rubberStamps: 1,
      failed: 2,
      repeatedFailures: 1,
    });
    // Latencies 1 s, 3 s, 10 s, 20 s in buckets [1,2) [2,5) [10,30) [10,30) s. p50: rank 2 ends the
    // [2 s, 5 s) bucket → 5,000 ms. p90: rank 3.6 is 1.6 of the 2 in [10 s, 30 s) → 10 s + 20 s × 0.8.
    expect(overview.totals.approvalP50Ms).toBe(5_000);
    expect(overview.totals.approvalP90Ms).toBe(26_000);
    const point = overview.series.find((p) => p.bucket === hour.toISOString())!;
    expect(point).toMatchObject({ decisions: 13, rubberStamps: 1 });
    expect(point.interventionRate).toBeCloseTo(5 / 12, 10);
    expect(overview.series.filter((p) => p.decisions === 0)).toHaveLength(overview.series.length - 1);
    // Calibration from the rollup's bins equals the sample-based statistics on the executed actions
    // (the 6 autonomous ones and the approved one that succeeded, at 0.9).
    const samples = [...auto.map((a) => ({ confidence: a.confidence, success: a.status === "succeeded" })), { confidence: 0.9, success: true }];
    expect(overview.calibration.samples).toBe(7);
    expect(overview.calibration.brier).toBeCloseTo(brierScore(samples)!, 10);
    expect(overview.calibration.ece).toBeCloseTo(expectedCalibrationError(samples)!, 10);
    expect(overview.agents).toEqual([expect.objectContaining({ agentId: agent.id, decisions: 13 })]);
  });

  it("an action decided later moves its hour's numbers on the next pass", async () => {
    const { agent } = await makeAgent();
    const created = new Date(Math.floor(Date.now() / HOUR) * HOUR - 30 * HOUR);
    const [row] = await db.action.createManyAndReturn({ data: [actionAt(agent.id, created, { decision: "require_approval", status: "pending_approval" })] });
    await rollUpNow();
    const scope = { from: new Date(created.getTime() - HOUR), to: new Date(created.getTime() + HOUR), agentId: agent.id };
    expect((await loadOverview(db, scope)).totals).toMatchObject({ pending: 1, rejected: 0 });
    // Written the way the approval statement does (raw SQL): the trigger moves updated_at.
    await db.$executeRaw`UPDATE actions SET status = 'rejected', decided_by_id = ${randomUUID()}, decided_at = created_at + interval '4 seconds' WHERE id = ${row!.id}::uuid`;
    await rollUpNow();
    expect((await loadOverview(db, scope)).totals).toMatchObject({ pending: 0, rejected: 1 });
  });
});

describe("drift", () => {
  it("records a drift event and alert when an agent's action mix changes", async () => {
    const { agent } = await makeAgent();
    const today = Math.floor(Date.now() / 86400_000) * 86400_000;
    const rows: Prisma.ActionCreateManyInput[] = [];
    for (let d = 1; d <= 14; d++)
      for (let i = 0; i < 6; i++) rows.push(actionAt(agent.id, new Date(today - d * 86400_000 + i * 60_000), { tool: "docker.restart" }));
    for (let i = 0; i < 40; i++) rows.push(actionAt(agent.id, new Date(today + 60_000 + i * 1000), { tool: i % 4 === 0 ? "docker.restart" : "db.migrate" }));
    await db.action.createMany({ data: rows });
    await rollUpNow();
    const now = new Date(today + 3600_000);
    const recorded = await detectDrift(db, now);
    expect(recorded).toContainEqual(expect.objectContaining({ agentId: agent.id, statistic: "action_mix" }));
    const event = await db.driftEvent.findFirstOrThrow({ where: { agentId: agent.id, statistic: "action_mix" } });
    expect(event.value).toBeGreaterThan(0.1);
    expect(await db.metricAlert.count({ where: { rule: "drift", subject: agent.id } })).toBe(1);
    // A second pass over the same window records nothing new.
    await detectDrift(db, now);
    expect(await db.driftEvent.count({ where: { agentId: agent.id, statistic: "action_mix" } })).toBe(1);
  });

  it("an agent whose mix stays the same has no drift event", async () => {
    const { agent } = await makeAgent();
    const today = Math.floor(Date.now() / 86400_000) * 86400_000;
    const rows: Prisma.ActionCreateManyInput[] = [];
    for (let d = 0; d <= 14; d++)
      for (let i = 0; i < 8; i++) rows.push(actionAt(agent.id, new Date(today - d * 86400_000 + 60_000 + i * 1000), { tool: i % 2 ? "a.tool" : "b.tool" }));
    await db.action.createMany({ data: rows });
    await rollUpNow();
    await detectDrift(db, new Date(today + 3600_000));
    expect(await db.driftEvent.count({ where: { agentId: agent.id, statistic: "action_mix" } })).toBe(0);
  });
});

describe("the intervention alert", () => {
  it("fires once per agent and day into the feed and the webhooks when more than 30% needed a person", async () => {
    const { agent } = await makeAgent();
    const base = Date.now() - 2 * HOUR;
    const rows = Array.from({ length: 25 }, (_, i) =>
      actionAt(agent.id, new Date(base + i * 1000), i < 15 ? humanDecision(new Date(base + i * 1000), 5_000, { status: "rejected" }) : {}),
    );
    await db.action.createMany({ data: rows });
    await db.webhook.create({ data: { url: "https://example.test/hook", events: ["metrics.alert"], secret: "s" } });
    await rollUpNow();
    expect(await evaluateInterventionAlerts(db)).toContain(agent.id);
    expect(await evaluateInterventionAlerts(db)).not.toContain(agent.id);
    const alerts = await db.metricAlert.findMany({ where: { rule: "intervention_rate", subject: agent.id } });
    expect(alerts).toHaveLength(1);
    expect(await db.notification.count({ where: { agentId: agent.id, kind: "metrics.alert" } })).toBe(1);
    expect(await db.webhookDelivery.count({ where: { event: "metrics.alert", payload: { path: ["subject"], equals: agent.id } } })).toBe(1);
  });
});

describe("metric settings", () => {
  it("saves valid thresholds with an audit row, and refuses a bad one naming the field", async () => {
    const { getMetricSettings, saveMetricSettings, DEFAULT_METRIC_SETTINGS } = await import("../../server/metrics/metric-settings");
    const { makeUser, auditRows } = await import("../support/fixtures");
    const admin = await makeUser("admin");
    const before = await getMetricSettings(db);
    await expect(saveMetricSettings(db, admin, { ...before, mixDivergence: 2 })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ["mixDivergence"] })],
    });
    expect(await getMetricSettings(db)).toEqual(before);
    const saved = await saveMetricSettings(db, admin, { ...DEFAULT_METRIC_SETTINGS, mixDivergence: 0.2 });
    expect(await getMetricSettings(db)).toEqual(saved);
    const [audit] = await auditRows({ verb: "metrics.settings", actorLabel: admin.label });
    expect(audit!.data).toMatchObject({ changes: expect.arrayContaining([expect.objectContaining({ path: "mixDivergence", to: 0.2 })]) });
    await saveMetricSettings(db, admin, DEFAULT_METRIC_SETTINGS);
  });
});
