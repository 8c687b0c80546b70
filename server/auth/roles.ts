import { ROLES, type Role } from "../schemas/enums";

/** Lowest first (as declared in schema.prisma): each role can do everything the ones before it can. */
export { ROLES };

export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}
