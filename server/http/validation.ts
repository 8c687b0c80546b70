import type { FieldProblem } from "../errors";

type IssueList = { issues: readonly { path?: readonly PropertyKey[] | readonly { key: PropertyKey }[]; message: string }[] };

/** True for a ZodError or a Standard Schema failure (what tRPC reports for bad input). */
export function isValidationFailure(error: unknown): error is IssueList {
  return typeof error === "object" && error !== null && Array.isArray((error as IssueList).issues);
}

/** Validation issues as `{field, message}` pairs, the field written as a dotted path (`args.0.name`). */
export function fieldProblems(error: IssueList): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = (issue.path ?? []).map((p) => (typeof p === "object" && p !== null && "key" in p ? p.key : p));
    return { field: path.length > 0 ? path.map(String).join(".") : "(body)", message: issue.message };
  });
}

export function describeProblems(problems: FieldProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.message}`).join("; ");
}

/** A unique-index violation from Prisma (P2002), which a racing duplicate create produces. */
export function isUniqueViolation(error: unknown): error is { code: "P2002"; meta?: { target?: unknown } } {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}
