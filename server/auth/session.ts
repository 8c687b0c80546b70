import "server-only";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { db } from "../db/client";
import type { Role } from "../db/generated/enums";
import type { UserActor } from "./actor";
import { auth } from "./next-auth";
import { roleAtLeast } from "./roles";

/**
 * The signed-in person, read fresh from the database on every request: a role change or a
 * deactivation applies at once, whatever the session cookie says.
 */
export const getSessionUser = cache(async (): Promise<UserActor | null> => {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  const user = await db.user.findUnique({ where: { id }, select: { id: true, email: true, role: true, active: true } });
  if (!user || !user.active) return null;
  return { type: "user", id: user.id, label: user.email, role: user.role };
});

/** For pages and layouts: sends strangers to the login page and answers 403 to too-low roles. */
export async function requirePageUser(minimum: Role = "viewer"): Promise<UserActor> {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  if (!roleAtLeast(user.role, minimum)) forbidden();
  return user;
}
