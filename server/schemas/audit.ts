import { z } from "zod";

// Not strict: React Query adds its own keys (direction) to infinite-query inputs.
export const ZAuditQuery = z.object({
  actor: z.string().trim().max(200).optional(),
  verb: z.string().trim().max(100).optional(),
  subject: z.string().trim().max(200).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  /** Keyset cursor: the id of the last row of the previous page. */
  cursor: z.string().regex(/^\d+$/, "must be a row id").optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.input<typeof ZAuditQuery>;
