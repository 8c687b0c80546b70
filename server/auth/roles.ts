import type { Role } from "../db/generated/enums";

/** Lowest first: each role can do everything the ones before it can. */
export const ROLES = ["viewer", "approver", "operator", "admin"] as const satisfies readonly Role[];

export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}
