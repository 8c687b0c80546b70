import { z } from "zod";

export const ZAuditQuery = z.strictObject({
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
