import diff from "microdiff";
import type { Prisma } from "../db/generated/client";

export type Change = { path: string; type: "CREATE" | "REMOVE" | "CHANGE"; from?: Prisma.InputJsonValue; to?: Prisma.InputJsonValue };

/** What changed between two plain objects, as JSON an audit row or a diff view can hold. */
export function describeChanges(before: object, after: object): Change[] {
  return diff(before as Record<string, unknown>, after as Record<string, unknown>).map((d) => ({
    path: d.path.join("."),
    type: d.type,
    ...("oldValue" in d ? { from: d.oldValue } : {}),
    ...("value" in d ? { to: d.value } : {}),
  }));
}
