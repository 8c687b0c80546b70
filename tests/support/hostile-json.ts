import fc from "fast-check";
import { MAX_JSON_DEPTH } from "../../server/schemas/safe-json";

/** Arbitraries for the hostile-input properties: clean JSON, and a hostile thing to put in it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Segment = string | number;

/** `levels` containers, each the only child of the one before: {"k0": [{"k2": …}]}. */
export function chain(levels: number): { value: Json; keys: Segment[] } {
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
// A `__proto__` key is refused too (it names an object's prototype), so clean JSON has none.
const hasNoHostileText = (value: unknown) => {
  const text = JSON.stringify(value);
  return !/\\u(0000|d[89a-f][0-9a-f]{2})/i.test(text) && !text.includes('"__proto__":');
};
/** Random JSON objects of any valid Unicode (graphemes: emoji pairs included), up to 5 deep. */
export const cleanObject = fc
  .dictionary(fc.string({ unit: "grapheme", maxLength: 6 }), fc.jsonValue({ maxDepth: 4, stringUnit: "grapheme" }) as fc.Arbitrary<Json>, { maxKeys: 6 })
  .filter(hasNoHostileText);

const hostileText = fc.oneof(
  fc.tuple(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })).map(([a, b]) => `${a}\u0000${b}`),
  fc.tuple(fc.string({ maxLength: 5 }), fc.integer({ min: 0xd800, max: 0xdbff })).map(([a, high]) => `${a}${String.fromCharCode(high)}`),
  fc.tuple(fc.integer({ min: 0xdc00, max: 0xdfff }), fc.string({ maxLength: 5 })).map(([low, b]) => `${String.fromCharCode(low)}${b}`),
);

export type Hostile = { kind: "value"; text: string } | { kind: "key"; text: string } | { kind: "deep"; extra: number };
export const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  hostileText.map((text) => ({ kind: "value" as const, text })),
  hostileText.map((text) => ({ kind: "key" as const, text })),
  fc.integer({ min: 1, max: 3000 }).map((extra) => ({ kind: "deep" as const, extra })),
);

/**
 * Puts the hostile thing somewhere in `doc` (a random walk down its containers, then a new key
 * or element there) and returns the path the validator must name.
 */
export function insert(doc: Json, walk: number[], thing: Hostile): Segment[] {
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
