import { AppError } from "../errors";
import { fieldName, findUnsafeJson } from "../schemas/safe-json";

/**
 * Refuses input Warden cannot safely parse or store (schemas/safe-json.ts: JSON nested deeper
 * than MAX_JSON_DEPTH, NUL or an unpaired surrogate in any string or key) with a 400 naming the
 * field. The REST frame runs it on path, query and body, and the tRPC layer on every input,
 * before validation, so nothing downstream ever sees such a value.
 */
export function assertSafeInput(value: unknown, where?: string): void {
  const unsafe = findUnsafeJson(value);
  if (!unsafe) return;
  const field = fieldName(unsafe.path, where);
  throw new AppError("BAD_REQUEST", `${field}: ${unsafe.message}`, { details: [{ field, message: unsafe.message }] });
}
