import { z } from "zod";

/**
 * What Warden accepts as JSON from a caller, in every field of every request (REST body, query
 * and path, tRPC input): at most MAX_JSON_DEPTH levels of nesting in a field (`{"a": {}}` is two
 * levels), and no string or object key holding a NUL character or an unpaired UTF-16 surrogate,
 * which PostgreSQL cannot store (text refuses NUL, jsonb refuses both).
 *
 * The check is iterative (an explicit stack, never recursion), so a body nested 100,000 deep is
 * refused in linear time instead of overflowing the call stack; it runs before anything that
 * walks JSON recursively (JSON.stringify, superjson, zod), which would overflow first.
 */
export const MAX_JSON_DEPTH = 32;

/** A refused value: where it is (path segments from the root) and why. */
export type UnsafeJson = { path: (string | number)[]; message: string };

// NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const UNSAFE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string cannot be stored, or null when it can. */
export function unsafeTextReason(text: string): string | null {
  const found = UNSAFE_TEXT.exec(text);
  if (!found) return null;
  return found[0] === "\u0000"
    ? "must not contain the NUL character (\\u0000)"
    : `must be valid Unicode: it holds an unpaired surrogate (${escapeUnsafeText(found[0])})`;
}

/** The text with NUL and unpaired surrogates written as `\uXXXX`, so a field name can be shown. */
export function escapeUnsafeText(text: string): string {
  return text.replace(new RegExp(UNSAFE_TEXT.source, "g"), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function isJsonContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  // Dates and other class instances are leaves: JSON values are plain objects and arrays.
  return proto === Object.prototype || proto === null;
}

type Frame = { value: unknown; key: string | number | null; parent: Frame | null; depth: number };

function pathOf(frame: Frame): (string | number)[] {
  const path: (string | number)[] = [];
  for (let f: Frame | null = frame; f && f.key !== null; f = f.parent) path.push(f.key);
  return path.reverse();
}

/**
 * The first value in `value` (depth first, in document order) that Warden refuses, or null.
 * The root is level 0: a field of a body or input is level 1, and a container nested deeper
 * than `maxDepth` levels below the root is refused at its own path.
 */
export function findUnsafeJson(value: unknown, maxDepth = MAX_JSON_DEPTH): UnsafeJson | null {
  const stack: Frame[] = [{ value, key: null, parent: null, depth: 0 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const v = frame.value;
    if (typeof v === "string") {
      const reason = unsafeTextReason(v);
      if (reason) return { path: pathOf(frame), message: reason };
      continue;
    }
    // 1e999 parses as Infinity, which JSON cannot hold: it would be stored as null, unsaid.
    if (typeof v === "number" && !Number.isFinite(v)) return { path: pathOf(frame), message: "must be a finite number" };
    if (!isJsonContainer(v)) continue;
    if (frame.depth > maxDepth) return { path: pathOf(frame), message: `must be nested at most ${maxDepth} levels deep` };
    const children: Frame[] = [];
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) children.push({ value: v[i], key: i, parent: frame, depth: frame.depth + 1 });
    } else {
      for (const key of Object.keys(v)) {
        const reason = unsafeTextReason(key);
        if (reason) return { path: [...pathOf(frame), key], message: `this key ${reason}` };
        // Dropped by every object copy on the way (it names the prototype): refused, not lost.
        if (key === "__proto__") return { path: [...pathOf(frame), key], message: "this key is not allowed (it names an object's prototype)" };
        children.push({ value: v[key], key, parent: frame, depth: frame.depth + 1 });
      }
    }
    // Pushed in reverse so the first child is checked first.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return null;
}

/** A path as the API names fields: `args.steps.0.cmd`, unsafe characters escaped. */
export function fieldName(path: readonly (string | number)[], prefix?: string): string {
  const parts = [...(prefix ? [prefix] : []), ...path.map((p) => escapeUnsafeText(String(p)))];
  return parts.length > 0 ? parts.join(".") : "(body)";
}

/** Caller-supplied JSON objects (args, output, payload, checkpoint), bounded so one call cannot fill the database. */
export const MAX_JSON_BYTES = 64 * 1024;

/**
 * A JSON object field of a request: safe (depth, NUL, surrogates) before its size is measured,
 * because measuring serialises it, which recursion would overflow on hostile nesting.
 */
export function boundedJson(field: string) {
  return z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    const unsafe = findUnsafeJson(value, MAX_JSON_DEPTH - 1);
    if (unsafe) {
      ctx.addIssue({ code: "custom", message: unsafe.message, path: unsafe.path });
      return;
    }
    if (Buffer.byteLength(JSON.stringify(value)) > MAX_JSON_BYTES) {
      ctx.addIssue({ code: "custom", message: `${field} must be at most ${MAX_JSON_BYTES / 1024} KiB of JSON` });
    }
  });
}

/** True when a container sits more than `maxDepth` levels below the root (iterative, like findUnsafeJson). */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (!isJsonContainer(v)) continue;
    if (depth > maxDepth) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (isJsonContainer(child)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}
