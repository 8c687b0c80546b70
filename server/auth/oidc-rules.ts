import type { Role } from "../db/generated/enums";
import { ROLES } from "../schemas/enums";

/**
 * The pure rules of single sign-on: which email domains may sign in, and which role the
 * provider's claims give. env.ts validates the configuration with them; sign-in applies them.
 */

/** `warden-admins:admin, warden-ops:operator` → claim value → role. The value may itself hold colons. */
export function parseRoleMap(text: string): { map: Map<string, Role> } | { problems: string[] } {
  const map = new Map<string, Role>();
  const problems: string[] = [];
  for (const entry of text
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)) {
    const colon = entry.lastIndexOf(":");
    const value = colon > 0 ? entry.slice(0, colon).trim() : "";
    const role = colon > 0 ? entry.slice(colon + 1).trim() : "";
    if (!value || !(ROLES as readonly string[]).includes(role)) {
      problems.push(`"${entry}" is not value:role (roles: ${ROLES.join(", ")})`);
      continue;
    }
    map.set(value, role as Role);
  }
  return problems.length > 0 ? { problems } : { map };
}

/** `example.com, @corp.example` → lowercase domains without the `@`; empty means any domain. */
export function parseDomains(text: string): string[] {
  return text
    .split(",")
    .map((d) => d.trim().toLowerCase().replace(/^@/, ""))
    .filter(Boolean);
}

/**
 * Whether an email may sign in: its domain (after the last `@`) equals one of the allowed ones,
 * exactly; a subdomain is another domain. No list allows any well-formed address.
 */
export function emailDomainAllowed(email: string, allowed: readonly string[]): boolean {
  const at = email.lastIndexOf("@");
  if (at <= 0 || at === email.length - 1) return false;
  if (allowed.length === 0) return true;
  const domain = email.slice(at + 1).toLowerCase();
  return allowed.includes(domain);
}

/**
 * The role the provider's claim gives: the highest role any of its values maps to, or null.
 * A claim is a string or a list of strings (`groups`); anything else gives nothing.
 */
export function roleFromClaim(claim: unknown, map: ReadonlyMap<string, Role>): Role | null {
  const values = typeof claim === "string" ? [claim] : Array.isArray(claim) ? claim.filter((v): v is string => typeof v === "string") : [];
  let best: Role | null = null;
  for (const value of values) {
    const role = map.get(value);
    if (role && (best === null || ROLES.indexOf(role) > ROLES.indexOf(best))) best = role;
  }
  return best;
}
