import { describe, expect, it } from "vitest";
import { splitReasons } from "@/server/schemas/action-reasons";
import { formatBucket } from "@/components/metrics/format-bucket";
import { INTERVENTION_FLAG_PCT, interventionAxisMax } from "@/components/metrics/metrics-charts";
import { unregisteredTools } from "@/components/settings/unregistered-tools";
import { evaluateAction, type EvaluationInput } from "@/server/guardrails/evaluate-action";
import { DEFAULT_POLICY } from "@/server/schemas/policy";

describe("the intervention chart's y-axis", () => {
  it.each([
    { rates: [2, 12, null], top: 40 },
    { rates: [], top: 40 },
    { rates: [null], top: 40 },
    { rates: [31], top: 40 },
    { rates: [47], top: 60 },
    { rates: [100], top: 100 },
  ])("rates $rates → top $top, always above the flag line", ({ rates, top }) => {
    expect(interventionAxisMax(rates)).toBe(top);
    expect(interventionAxisMax(rates)).toBeGreaterThan(INTERVENTION_FLAG_PCT);
  });
});

describe("chart data tables", () => {
  it("show a bucket as a date, in UTC, and leave what is no date alone", () => {
    expect(formatBucket("2026-11-30T14:00:00.000Z")).toBe("30 Nov 2026, 14:00 UTC");
    expect(formatBucket("not a date")).toBe("not a date");
    expect(formatBucket(null)).toBe("");
  });
});

describe("unregistered tools in an agent's grants", () => {
  it("are named once each, in the order typed", () => {
    expect(unregisteredTools(["git.push", "dokcer.restart", "dokcer.restart", "x"], ["git.push", "docker.restart"])).toEqual(["dokcer.restart", "x"]);
    expect(unregisteredTools(["git.push"], ["git.push"])).toEqual([]);
  });
});

describe("'Why it waits'", () => {
  const input: EvaluationInput = {
    action: "git push --force origin main",
    tool: "git.push",
    resource: null,
    args: {},
    confidence: 0.89,
    taskInProgress: false,
    agent: { name: "dev-1", role: "specialist", tools: ["git.push"], scopes: [] },
    toolDef: { name: "git.push", scopes: [], requiresConfirmation: false, risk: "medium" },
    control: { state: "running" },
    rateLimit: null,
    matchingFailures: [],
  };

  it("lists the pattern that forced approval, not the confidence that would have let it run", () => {
    const evaluation = evaluateAction(input, DEFAULT_POLICY);
    expect(evaluation.decision).toBe("require_approval");
    const { deciding, alsoWeighed } = splitReasons(evaluation.reasons, evaluation.decision);
    expect(deciding.map((r) => r.code)).toEqual(["always_requires_approval"]);
    expect(alsoWeighed.map((r) => r.code)).toEqual(["confidence_execute_with_notification"]);
  });

  it("lists a low confidence when that is what decided", () => {
    const evaluation = evaluateAction({ ...input, action: "git push origin main", confidence: 0.4 }, DEFAULT_POLICY);
    expect(splitReasons(evaluation.reasons, evaluation.decision).deciding.map((r) => r.code)).toEqual(["confidence_require_approval"]);
  });

  it("reads the outcome of reasons stored before it was recorded from their code, and never hides one it cannot place", () => {
    const stored = [
      { code: "always_requires_approval", message: "pattern" },
      { code: "confidence_auto_execute", message: "0.99" },
      { code: "something_new", message: "?" },
    ];
    const { deciding, alsoWeighed } = splitReasons(stored, "require_approval");
    expect(deciding.map((r) => r.code)).toEqual(["always_requires_approval", "something_new"]);
    expect(alsoWeighed.map((r) => r.code)).toEqual(["confidence_auto_execute"]);
  });
});
