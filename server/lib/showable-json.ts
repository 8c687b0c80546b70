import { exceedsDepth, findUnsafeJson, isJsonContainer, MAX_JSON_DEPTH } from "../schemas/safe-json";

/**
 * Stored JSON on its way out. Warden refuses hostile JSON at the door (schemas/safe-json.ts), but
 * a row written before that check, or by hand, may still hold JSON nested thousands deep, which
 * would overflow the serialiser of the whole answer (superjson, JSON.stringify): one odd row
 * would blank a list. Such a value is shown as a marker instead, and the rest of the list as is.
 */
export const NOT_SHOWN_KEY = "(not shown)";

export function notShown(reason: string): Record<string, string> {
  return { [NOT_SHOWN_KEY]: `${reason}; Warden keeps it as stored but does not show it` };
}

/** A stored JSON object field (args, payload, output, audit data): itself, or the marker. */
export function showableObject(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return notShown("not a JSON object");
  // The field is level 1 below its row, as it was when it came in.
  return findUnsafeJson(value, MAX_JSON_DEPTH - 1) ? notShown(`nested deeper than ${MAX_JSON_DEPTH} levels`) : (value as Record<string, unknown>);
}

export function showableObjectOrNull(value: unknown): Record<string, unknown> | null {
  return value === null || value === undefined ? null : showableObject(value);
}

/** Any stored JSON value (an array of reasons, an audit row's data): itself, or the marker. */
export function showableJson<T>(value: T): T | Record<string, string> {
  return findUnsafeJson(value, MAX_JSON_DEPTH - 1) ? notShown(`nested deeper than ${MAX_JSON_DEPTH} levels`) : value;
}

/**
 * The last line for a whole answer (every tRPC result, every REST body): any container more than
 * `maxDepth` levels down is replaced by the marker, so no answer can overflow its serialiser.
 * Answers within the limit (all of them, normally) are returned untouched, without a copy.
 */
export const MAX_ANSWER_DEPTH = 64;

export function capAnswerDepth(value: unknown, maxDepth = MAX_ANSWER_DEPTH): unknown {
  if (!exceedsDepth(value, maxDepth)) return value;
  const copyOf = (v: object): Record<string, unknown> | unknown[] => (Array.isArray(v) ? [] : {});
  if (!isJsonContainer(value)) return value;
  const root = copyOf(value);
  const stack: { source: Record<string, unknown> | unknown[]; target: Record<string, unknown> | unknown[]; depth: number }[] = [
    { source: value, target: root, depth: 0 },
  ];
  while (stack.length > 0) {
    const { source, target, depth } = stack.pop()!;
    for (const [key, child] of Object.entries(source)) {
      let out: unknown = child;
      if (isJsonContainer(child)) {
        if (depth + 1 > maxDepth) out = notShown(`nested deeper than ${maxDepth} levels in the answer`);
        else {
          out = copyOf(child);
          stack.push({ source: child, target: out as Record<string, unknown> | unknown[], depth: depth + 1 });
        }
      }
      // Defined, not assigned: a stored "__proto__" key stays a key instead of becoming a prototype.
      Object.defineProperty(target, key, { value: out, enumerable: true, writable: true, configurable: true });
    }
  }
  return root;
}

/** A stored list Warden wrote itself (reasons, recalled memories): itself, or `instead` when it is not a showable list. */
export function showableList<T>(value: unknown, instead: T[] = []): T[] {
  return Array.isArray(value) && !findUnsafeJson(value, MAX_JSON_DEPTH - 1) ? (value as T[]) : instead;
}
