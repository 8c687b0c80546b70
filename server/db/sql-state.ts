/**
 * The PostgreSQL error code (SQLSTATE, five characters) behind an error from Prisma, its driver
 * adapter or node-postgres, wherever it sits: Prisma maps some (a unique violation from a model
 * call is P2002) but reports a raw statement's as P2010 with the driver's error inside.
 */
export function sqlState(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === "object"; depth++) {
    const record = current as { code?: unknown; originalCode?: unknown; meta?: { code?: unknown; driverAdapterError?: unknown }; cause?: unknown };
    for (const code of [record.originalCode, record.meta?.code, record.code]) {
      // Prisma's own codes (P1000-P6999) look like SQLSTATEs; PL/pgSQL's P0001-P0004 are real ones.
      if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !/^P[1-9]\d{3}$/.test(code)) return code;
    }
    current = record.cause ?? record.meta?.driverAdapterError;
  }
  return null;
}

export const UNIQUE_VIOLATION = "23505";
