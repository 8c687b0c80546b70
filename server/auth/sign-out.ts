import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { endSession } from "./user-sessions";

/** Ends the session a cookie names, audited; signing out twice records it once. */
export async function signOutSession(db: DbOrTx, sessionId: string): Promise<void> {
  await inTransaction(db, async (tx) => {
    const ended = await endSession(tx, sessionId, "sign_out");
    if (!ended) return;
    const user = await tx.user.findUniqueOrThrow({ where: { id: ended.userId }, select: { id: true, email: true, role: true } });
    await appendAudit(tx, {
      actor: { type: "user", id: user.id, label: user.email, role: user.role },
      verb: "auth.sign_out",
      subject: { type: "user", id: user.id },
      data: { sessionId },
    });
  });
}
