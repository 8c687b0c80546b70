import { createHash } from "node:crypto";
import stringify from "safe-stable-stringify";

/** JSON with sorted keys: equal values give equal text, so hashes of args can be compared. */
export function canonicalJson(value: unknown): string {
  return stringify(value) ?? "null";
}

/** The hash the SDK checks before running approved args (sha256 of their canonical JSON). */
export function argsHash(args: unknown): string {
  return createHash("sha256").update(canonicalJson(args)).digest("hex");
}
