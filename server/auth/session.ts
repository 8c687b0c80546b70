import "server-only";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { db } from "../db/client";
import type { Role } from "../db/generated/enums";
import type { UserActor } from "./actor";
import { auth } from "./next-auth";
import { roleAtLeast } from "./roles";
import { liveSessionPerson, liveSessionUser } from "./user-sessions";

export type SignedInSession = { sessionId: string; user: UserActor };

/**
 * The signed-in person and their session, read fresh from the database on every request: a
 * sign-out, a new password, a role change or a deactivation applies at once on every
 * instance, whatever the cookie says.
 */
export const getSignedInSession = cache(async (): Promise<SignedInSession | null> => {
  const session = await auth();
  const sessionId = session?.sessionId;
  if (!sessionId) return null;
  const user = await liveSessionUser(db, sessionId);
  return user ? { sessionId, user } : null;
});

/**
 * A person signed in through the identity provider who holds no role yet: they may see the
 * waiting page and sign out, nothing else.
 */
export const getWaitingPerson = cache(async (): Promise<{ email: string } | null> => {
  const sessionId = (await auth())?.sessionId;
  if (!sessionId) return null;
  const person = await liveSessionPerson(db, sessionId);
  return person && !person.role ? { email: person.email } : null;
});

export async function getSessionUser(): Promise<UserActor | null> {
  return (await getSignedInSession())?.user ?? null;
}

/** For pages and layouts: sends strangers to the login page and answers 403 to too-low roles. */
export async function requirePageUser(minimum: Role = "viewer"): Promise<UserActor> {
  const user = await getSessionUser();
  if (!user) redirect((await getWaitingPerson()) ? "/waiting" : "/login");
  if (!roleAtLeast(user.role, minimum)) forbidden();
  return user;
}
