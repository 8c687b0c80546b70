import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertSafeInput } from "../../server/http/safe-input";
import { capAnswerDepth, NOT_SHOWN_KEY, showableObject } from "../../server/lib/showable-json";
import { ZProposeActionRequest } from "../../server/schemas/actions";
import { fieldName, findUnsafeJson, MAX_JSON_DEPTH } from "../../server/schemas/safe-json";
import { chain, cleanObject, hostile, insert, type Json } from "../support/hostile-json";

describe("findUnsafeJson (the one check every input passes)", () => {
  it("property: random JSON with a NUL, an unpaired surrogate or over-deep nesting inserted anywhere is refused at that path", () => {
    fc.assert(
      fc.property(cleanObject, fc.array(fc.nat(), { maxLength: 6 }), hostile, (doc, walk, thing) => {
        const copy = structuredClone(doc) as Json;
        const expected = insert(copy, walk, thing);
        const found = findUnsafeJson(copy);
        expect(found?.path).toEqual(expected);
        // The REST frame and tRPC name the same field in their 400.
        const error = (() => {
          try {
            assertSafeInput(copy);
          } catch (e) {
            return e as { code: string; details: { field: string }[] };
          }
          return null;
        })();
        expect(error?.code).toBe("BAD_REQUEST");
        expect(error?.details[0]!.field).toBe(fieldName(expected));
      }),
      { numRuns: 400 },
    );
  });

  it("property: random valid JSON (any Unicode, surrogate pairs included) within the depth limit passes", () => {
    fc.assert(
      fc.property(cleanObject, (doc) => {
        expect(findUnsafeJson(doc)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it("property: a schema's JSON field (args) refuses the same values, named under the field", () => {
    fc.assert(
      fc.property(cleanObject, fc.array(fc.nat(), { maxLength: 6 }), hostile, (doc, walk, thing) => {
        const args = structuredClone(doc) as Record<string, Json>;
        // Inside args everything is one level deeper than in a body of its own.
        const expected = insert({ args } as Json, [0, ...walk], thing);
        const parsed = ZProposeActionRequest.safeParse({ action: "run", tool: "shell", confidence: 0.5, args });
        expect(parsed.success).toBe(false);
        expect(parsed.error!.issues[0]!.path).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("counts levels from the field: 32 levels pass, 33 are refused at the 33rd", () => {
    expect(findUnsafeJson({ args: chain(MAX_JSON_DEPTH).value })).toBeNull();
    const deep = chain(MAX_JSON_DEPTH + 1);
    expect(findUnsafeJson({ args: deep.value })?.path).toEqual(["args", ...deep.keys.slice(0, MAX_JSON_DEPTH)]);
  });

  it("refuses nesting 100,000 deep without overflowing the stack (iterative, linear)", () => {
    const text = `{"args":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    const started = performance.now();
    const found = findUnsafeJson(JSON.parse(text));
    expect(found?.path).toEqual(["args", ...Array.from({ length: MAX_JSON_DEPTH }, () => 0)]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("names a bad key by its own name, escaped, and a bad string by its field", () => {
    expect(fieldName(findUnsafeJson({ args: { "a\u0000b": 1 } })!.path)).toBe("args.a\\u0000b");
    expect(fieldName(findUnsafeJson({ rationale: "x\ud800" })!.path)).toBe("rationale");
    expect(findUnsafeJson({ rationale: "x\ud800" })!.message).toMatch(/unpaired surrogate \(\\ud800\)/);
    expect(findUnsafeJson({ emoji: "ok \ud83d\ude00" })).toBeNull();
    expect(fieldName(["q"], "query")).toBe("query.q");
  });
});

describe("stored JSON on its way out", () => {
  it("a field nested too deep is shown as a marker; a normal one as it is", () => {
    expect(showableObject({ a: [1, { b: 2 }] })).toEqual({ a: [1, { b: 2 }] });
    expect(Object.keys(showableObject(chain(3000).value))).toEqual([NOT_SHOWN_KEY]);
    expect(Object.keys(showableObject(["not", "an", "object"]))).toEqual([NOT_SHOWN_KEY]);
  });

  it("capAnswerDepth leaves normal answers untouched (same object) and cuts pathological ones", () => {
    const normal = { items: [{ args: chain(MAX_JSON_DEPTH).value, at: new Date(0) }] };
    expect(capAnswerDepth(normal)).toBe(normal);
    const odd = { items: [{ args: chain(5000).value }, { args: { fine: true } }] };
    const capped = capAnswerDepth(odd) as typeof odd;
    expect(capped.items[1]).toEqual({ args: { fine: true } });
    expect(() => JSON.stringify(capped)).not.toThrow();
    expect(JSON.stringify(capped)).toContain(NOT_SHOWN_KEY);
    const proto = JSON.parse(`{"row":{"__proto__":{"x":1},"deep":${"[".repeat(100)}${"]".repeat(100)}}}`) as unknown;
    expect(JSON.stringify(capAnswerDepth(proto))).toMatch(/^\{"row":\{"__proto__":\{"x":1\},"deep":/);
  });
});
