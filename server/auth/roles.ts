import { ROLES, type Role } from "../schemas/enums";

/** Roles are declared lowest first (schema.prisma): each can do everything the ones before it can. */
export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}
