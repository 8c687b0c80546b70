import { z } from "zod";

/** Lower-case identifiers for teams, capabilities and tools: `ops`, `deploy`, `docker.restart`. */
export const ZSlug = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters")
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "use lower-case letters, digits, dot, dash or underscore");

/** A resource scope glob such as `staging/*` or `repo:warden/**`. */
export const ZScopeGlob = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .regex(/^[^\s]+$/, "must not contain spaces");

// Declared once in ./enums (from the Prisma enums).
export { ZAgentRole, ZRole } from "./enums";

export const ZUuid = z.uuid("must be a UUID");
