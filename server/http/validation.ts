import { sqlState, UNIQUE_VIOLATION } from "../db/sql-state";
import type { FieldProblem } from "../errors";
import { fieldName } from "../schemas/safe-json";

type IssuePath = readonly PropertyKey[] | readonly { key: PropertyKey }[];
type IssueList = { issues: readonly { path?: IssuePath; message: string; code?: string; keys?: readonly string[] }[] };

/** True for a ZodError or a Standard Schema failure (what tRPC reports for bad input). */
export function isValidationFailure(error: unknown): error is IssueList {
  return typeof error === "object" && error !== null && Array.isArray((error as IssueList).issues);
}

function segments(path: IssuePath | undefined): (string | number)[] {
  return (path ?? []).map((p) => {
    const key = typeof p === "object" && p !== null && "key" in p ? p.key : p;
    return typeof key === "number" ? key : String(key);
  });
}

/**
 * Validation issues as `{field, message}` pairs, the field written as a dotted path
 * (`args.0.name`). An unknown key is named by its own path (`colour`, `undo.colour`), one
 * problem per key, not by the object that holds it.
 */
export function fieldProblems(error: IssueList): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const path = segments(issue.path);
    if (issue.code === "unrecognized_keys" && issue.keys && issue.keys.length > 0) {
      return issue.keys.map((key) => ({ field: fieldName([...path, key]), message: "is not a known field" }));
    }
    return [{ field: fieldName(path), message: issue.message }];
  });
}

export function describeProblems(problems: FieldProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.message}`).join("; ");
}

/**
 * A unique-index violation, which a racing duplicate create produces: P2002 from a Prisma model
 * call, SQLSTATE 23505 inside a raw statement's error.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  return (error as { code?: unknown }).code === "P2002" || sqlState(error) === UNIQUE_VIOLATION;
}
