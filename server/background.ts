import "server-only";
import { startAuditSealer } from "./audit/seal-audit";
import { db } from "./db/client";

/** Work each Warden server process runs beside requests; safe with several instances. */
export function startBackgroundWork(): void {
  startAuditSealer(db);
}
