import type { z } from "zod";
import { describeProblems, fieldProblems } from "../../server/http/validation";
import { WardenInputError } from "./errors";

/**
 * Validates an input with the same zod schema Warden validates it with, so a mistake fails
 * here, before any request, with the same field-by-field message the API would give.
 */
export function validateInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = fieldProblems(parsed.error);
  throw new WardenInputError(`${what}: ${describeProblems(problems)}`, problems);
}
