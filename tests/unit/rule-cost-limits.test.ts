import { describe, expect, it } from "vitest";
import { validateRuleCondition } from "../../server/policy/validate-rule";

// Conditions run on every decision, on the server's one thread, with no cost limit in CEL:
// nested list macros multiply (the attacker's twelve nested `all` over ten items: 10^12 steps).
describe("what a condition may cost", () => {
  it("refuses a list macro inside another, at once and naming where", () => {
    const started = Date.now();
    const nested = Array.from({ length: 12 }, (_, i) => `[0,1,2,3,4,5,6,7,8,9].all(a${i}, `).join("") + "true" + ")".repeat(12);
    const check = validateRuleCondition({ when: nested });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(check).toMatchObject({ ok: false });
    expect(JSON.stringify(check)).toContain("inside another");
  });

  it("allows macros side by side and chained, up to four", () => {
    expect(validateRuleCondition({ when: `[1, 2].exists(x, x == 2) && ["a"].all(s, s == "a")` })).toMatchObject({ ok: true });
    expect(validateRuleCondition({ when: `[1, 2, 3].filter(x, x > 1).all(x, x > 0)` })).toMatchObject({ ok: true });
    const five = Array.from({ length: 5 }, (_, i) => `[${i}].exists(x, x == ${i})`).join(" && ");
    expect(JSON.stringify(validateRuleCondition({ when: five }))).toContain("more than 4 list macros");
  });
});
