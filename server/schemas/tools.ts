import { z } from "zod";
import { ZScopeGlob, ZSlug } from "./common";
import { ZToolRisk } from "./enums";

/** `10/minute`, `100/hour`, `5/second`, `1000/day`. */
export const ZRateLimit = z
  .string()
  .trim()
  .regex(/^\d{1,6}\/(second|minute|hour|day)$/, "use N/second, N/minute, N/hour or N/day, such as 10/minute");

const RATE_LIMIT_UNIT_SECONDS = { second: 1, minute: 60, hour: 3600, day: 86400 } as const;

/** `10/minute` → 10 points per 60 seconds (the server's limiter and the SDK's local one). */
export function parseRateLimit(spec: string): { points: number; seconds: number } {
  const [count, unit] = spec.split("/") as [string, keyof typeof RATE_LIMIT_UNIT_SECONDS];
  return { points: Number(count), seconds: RATE_LIMIT_UNIT_SECONDS[unit] };
}

export { ZToolRisk } from "./enums";

export const ZPutToolRequest = z
  .strictObject({
    description: z.string().trim().max(1000).optional(),
    scopes: z.array(ZScopeGlob).max(100),
    rateLimit: ZRateLimit.nullish(),
    requiresConfirmation: z.boolean().optional(),
    reversible: z.boolean().optional(),
    risk: ZToolRisk.optional(),
    /** The argument whose value is the resource (an MCP tool's `path`, say): scopes are checked against it. */
    resourceArgument: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .max(64, "must be at most 64 characters")
      .regex(/^[A-Za-z0-9_.-]+$/, "use letters, digits, dot, dash or underscore")
      .nullish(),
    /** The confidence of a call that states none (MCP gateway calls without `_meta.confidence`). */
    defaultConfidence: z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1").nullish(),
  })
  .meta({ id: "PutToolRequest" });
export type PutToolRequest = z.input<typeof ZPutToolRequest>;

export const ZToolName = ZSlug;

export const ZTool = z
  .object({
    name: z.string(),
    description: z.string(),
    scopes: z.array(z.string()),
    rateLimit: z.string().nullable(),
    requiresConfirmation: z.boolean(),
    reversible: z.boolean(),
    risk: ZToolRisk,
    resourceArgument: z.string().nullable(),
    defaultConfidence: z.number().nullable(),
    /** The upstream MCP server it was discovered on (a gateway tool), or null. */
    mcpServer: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: "Tool" });
