import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertSafeInput } from "../../server/http/safe-input";
import { capAnswerDepth, NOT_SHOWN_KEY, showableObject } from "../../server/lib/showable-json";
import { ZProposeActionRequest } from "../../server/schemas/actions";
import { fieldName, findUnsafeJson, MAX_JSON_DEPTH } from "../../server/schemas/safe-json";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Segment = string | number;

/** `levels` containers, each the only child of the one before: {"k0": [{"k2": …}]}. */
function chain(levels: number): { value: Json; keys: Segment[] } {
  let value: Json = "leaf";
  const path: Segment[] = [];
  for (let i = levels - 1; i >= 0; i--) {
    if (i % 2 === 1) {
      value = [value];
      path.unshift(0);
    } else {
      const key = `k${i}`;
      value = { [key]: value };
      path.unshift(key);
    }
  }
  return { value, keys: path };
}

// JSON.stringify writes NUL and unpaired surrogates as \u escapes and valid pairs as they are.
const hasNoHostileText = (value: unknown) => !/\\u(0000|d[89a-f][0-9a-f]{2})/i.test(JSON.stringify(value));
/** Random JSON objects of any valid Unicode (graphemes: emoji pairs included), up to 5 deep. */
const cleanObject = fc
  .dictionary(fc.string({ unit: "grapheme", maxLength: 6 }), fc.jsonValue({ maxDepth: 4, stringUnit: "grapheme" }) as fc.Arbitrary<Json>, { maxKeys: 6 })
  .filter(hasNoHostileText);

const hostileText = fc.oneof(
  fc.tuple(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })).map(([a, b]) => `${a}\u0000${b}`),
  fc.tuple(fc.string({ maxLength: 5 }), fc.integer({ min: 0xd800, max: 0xdbff })).map(([a, high]) => `${a}${String.fromCharCode(high)}`),
  fc.tuple(fc.integer({ min: 0xdc00, max: 0xdfff }), fc.string({ maxLength: 5 })).map(([low, b]) => `${String.fromCharCode(low)}${b}`),
);

type Hostile = { kind: "value"; text: string } | { kind: "key"; text: string } | { kind: "deep"; extra: number };
const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  hostileText.map((text) => ({ kind: "value" as const, text })),
  hostileText.map((text) => ({ kind: "key" as const, text })),
  fc.integer({ min: 1, max: 3000 }).map((extra) => ({ kind: "deep" as const, extra })),
);

/**
 * Puts the hostile thing somewhere in `doc` (a random walk down its containers, then a new key
 * or element there) and returns the path the validator must name.
 */
function insert(doc: Json, walk: number[], thing: Hostile): Segment[] {
  let here: Json = doc;
  const path: Segment[] = [];
  for (const step of walk) {
    const children: [Segment, Json][] = Array.isArray(here)
      ? here.map((v, i) => [i, v] as [Segment, Json])
      : here && typeof here === "object"
        ? Object.entries(here)
        : [];
    const containers = children.filter(([, v]) => v !== null && typeof v === "object");
    if (containers.length === 0) break;
    const [key, next] = containers[step % containers.length]!;
    path.push(key);
    here = next;
  }
  const container = here as Json[] | Record<string, Json>;
  const place = (value: Json, key = "hostile\u2603"): Segment => {
    if (Array.isArray(container)) {
      container.push(value);
      return container.length - 1;
    }
    container[key] = value;
    return key;
  };
  if (thing.kind === "value") return [...path, place(thing.text)];
  if (thing.kind === "key") return Array.isArray(container) ? [...path, place({ [thing.text]: 1 }), thing.text] : [...path, place(1, thing.text)];
  // The new value sits at depth path.length + 1; the first container past the limit is refused.
  const start = path.length + 1;
  const levels = MAX_JSON_DEPTH - start + 1 + thing.extra;
  const nested = chain(levels);
  const at = place(nested.value);
  return [...path, at, ...nested.keys.slice(0, MAX_JSON_DEPTH - start + 1)];
}

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
  });
});
