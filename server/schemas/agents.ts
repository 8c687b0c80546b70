import { z } from "zod";
import { ZAgentRole, ZScopeGlob, ZSlug, ZUuid } from "./common";

export const ZAgentName = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "use letters, digits, dot, dash or underscore");

export const ZCreateAgentRequest = z
  .strictObject({
    name: ZAgentName,
    role: ZAgentRole,
    team: ZSlug,
    parentId: ZUuid.nullish(),
    capabilities: z.array(ZSlug).max(50).default([]),
    tools: z.array(ZSlug).max(100).default([]),
    scopes: z.array(ZScopeGlob).max(100).default([]),
  })
  .meta({ id: "CreateAgentRequest" });
export type CreateAgentRequest = z.input<typeof ZCreateAgentRequest>;

export const ZUpdateAgentGrantsRequest = z.strictObject({
  capabilities: z.array(ZSlug).max(50),
  tools: z.array(ZSlug).max(100),
  scopes: z.array(ZScopeGlob).max(100),
});
export type UpdateAgentGrantsRequest = z.input<typeof ZUpdateAgentGrantsRequest>;

export const ZIssueAgentKeyRequest = z.strictObject({
  name: z.string().trim().min(1, "must not be empty").max(80, "must be at most 80 characters").default("default"),
});

export const ZAgent = z
  .object({
    id: z.string(),
    name: z.string(),
    role: ZAgentRole,
    team: z.string(),
    parentId: z.string().nullable(),
    capabilities: z.array(z.string()),
    tools: z.array(z.string()),
    scopes: z.array(z.string()),
    active: z.boolean(),
    createdAt: z.string(),
    lastSeenAt: z.string().nullable(),
  })
  .meta({ id: "Agent" });
export type AgentView = z.infer<typeof ZAgent>;

export const ZAgentKey = z
  .object({
    id: z.string(),
    agentId: z.string(),
    name: z.string(),
    prefix: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: "AgentKey" });
export type AgentKeyView = z.infer<typeof ZAgentKey>;
