import type { DbOrTx, Tx } from "../db/client";
import { publish } from "../events/bus";
import type { Role } from "../db/generated/enums";
import type { UserActor } from "./actor";

/** How long a sign-in lasts, whatever happens in between: the cookie and its row agree. */
export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

export type SessionEndReason = "sign_out" | "password_change" | "role_change" | "deactivated";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A new session row for a person who just proved who they are; its id goes into the cookie. */
export async function startSession(tx: DbOrTx, userId: string, ip: string | null): Promise<string> {
  const session = await tx.userSession.create({
    data: { userId, ip, expiresAt: new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000) },
    select: { id: true },
  });
  return session.id;
}

/**
 * The person behind a session cookie, or null when the session has ended or expired, or its
 * person was deactivated. Read on every request, so any instance sees an ending at once; the
 * role is the person's current one.
 */
export async function liveSessionUser(db: DbOrTx, sessionId: string): Promise<UserActor | null> {
  const person = await liveSessionPerson(db, sessionId);
  // Signed in but without a role (waiting for an admin): a live session that grants nothing.
  if (!person?.role) return null;
  return { type: "user", id: person.id, label: person.email, role: person.role };
}

/** The active person behind a live session, with or without a role; null when it ended. */
export async function liveSessionPerson(db: DbOrTx, sessionId: string): Promise<{ id: string; email: string; role: Role | null } | null> {
  if (!UUID.test(sessionId)) return null;
  const session = await db.userSession.findUnique({
    where: { id: sessionId },
    select: { endedAt: true, expiresAt: true, user: { select: { id: true, email: true, role: true, active: true } } },
  });
  if (!session || session.endedAt || session.expiresAt <= new Date() || !session.user.active) return null;
  const { user } = session;
  return { id: user.id, email: user.email, role: user.role };
}

/**
 * Ends one person's live sessions (all, or all but `except`, the one that asked) in the
 * caller's transaction, and tells every instance on commit so their open event streams close.
 * Returns how many ended.
 */
export async function endUserSessions(tx: Tx, userId: string, reason: SessionEndReason, options: { except?: string | null } = {}): Promise<number> {
  const { count } = await tx.userSession.updateMany({
    where: { userId, endedAt: null, ...(options.except ? { id: { not: options.except } } : {}) },
    data: { endedAt: new Date(), endReason: reason },
  });
  if (count > 0) await publish(tx, { type: "sessions.ended", userId });
  return count;
}

/** Ends the one session `sessionId` (signing out); null when it had already ended. */
export async function endSession(tx: Tx, sessionId: string, reason: SessionEndReason): Promise<{ userId: string } | null> {
  if (!UUID.test(sessionId)) return null;
  const rows = await tx.userSession.updateManyAndReturn({
    where: { id: sessionId, endedAt: null },
    data: { endedAt: new Date(), endReason: reason },
    select: { userId: true },
  });
  const ended = rows[0];
  if (ended) await publish(tx, { type: "sessions.ended", userId: ended.userId });
  return ended ?? null;
}

/** Rows of sessions that expired long ago: nothing reads them any more. */
export async function forgetOldSessions(db: DbOrTx): Promise<number> {
  const { count } = await db.userSession.deleteMany({ where: { expiresAt: { lt: new Date(Date.now() - 7 * 24 * 3600 * 1000) } } });
  return count;
}
