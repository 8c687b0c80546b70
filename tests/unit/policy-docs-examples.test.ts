import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateRuleCondition } from "../../server/policy/validate-rule";
import { ZPolicyRule } from "../../server/schemas/policy-rules";

/* docs/policies.md's rule examples compile as written, and the rule shown first parses. */
const doc = readFileSync("docs/policies.md", "utf8");
const calendars = { "change-freeze": { timeZone: "Europe/Berlin", periods: [{ from: "2026-12-20", to: "2027-01-03" }] } };
const examples = doc
  .slice(doc.indexOf("### Examples"), doc.indexOf("## Validation"))
  .split("\n")
  .filter((line) => line.startsWith("| ") && line.includes("`{"))
  .map((line) => line.split(" | ").map((cell) => cell.replace(/^\| |\s*\|$/g, "").trim()))
  .map((cells) => ({ sentence: cells[0]!, when: cells[1]!.replace(/^`|`$/g, ""), then: JSON.parse(cells[2]!.replace(/^`|`$/g, "")) as unknown }));

describe("docs/policies.md", () => {
  it("has examples", () => expect(examples.length).toBeGreaterThanOrEqual(5));
  it.each(examples)("$sentence compiles", ({ sentence, when, then }) => {
    expect(validateRuleCondition({ when, calendars })).toEqual({ ok: true });
    expect(ZPolicyRule.safeParse({ name: sentence, when, then }).success).toBe(true);
  });
  it("the first rule shown is a valid rule", () => {
    const block = doc.slice(doc.indexOf("## A rule")).split("```json\n")[1]!.split("```")[0]!;
    const rule = ZPolicyRule.parse(JSON.parse(block));
    expect(validateRuleCondition({ when: rule.when })).toEqual({ ok: true });
  });
});
