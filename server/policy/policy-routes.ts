import { z } from "zod";
import { defineRoute } from "../http/api-route";
import { ZPolicyDocumentShape, ZSavePolicyRequest } from "../schemas/policy";
import { getCurrentPolicy } from "./current-policy";
import { savePolicy } from "./save-policy";
import { personPrincipal } from "../auth/authenticate-bearer";
import { ZUuid } from "../schemas/common";
import { listApprovalGrants, revokeApprovalGrant, type GrantView } from "./approval-grants";

const ZPolicyResponse = z.object({ version: z.number(), document: ZPolicyDocumentShape, createdAt: z.string(), author: z.string() });

export const getPolicyRoute = defineRoute({
  method: "GET",
  path: "/api/v1/policy",
  operationId: "getPolicy",
  summary: "The policy document in force and its version",
  tag: "Provisioning",
  auth: { agent: true, user: "viewer" },
  response: ZPolicyResponse,
  handler: async ({ db }) => {
    const policy = await getCurrentPolicy(db, { fresh: true });
    return { version: policy.version, document: policy.document, createdAt: policy.createdAt.toISOString(), author: policy.authorLabel };
  },
});

export const putPolicyRoute = defineRoute({
  method: "PUT",
  path: "/api/v1/policy",
  operationId: "putPolicy",
  summary: "Save a new policy version (baseVersion guards against overwriting someone else's save)",
  tag: "Provisioning",
  auth: { user: "admin" },
  body: ZSavePolicyRequest,
  response: z.object({ version: z.number(), changes: z.array(z.object({ path: z.string(), type: z.string() }).passthrough()) }),
  successStatus: 201,
  idempotent: true,
  handler: ({ db, principal, body, origin }) => savePolicy(db, personPrincipal(principal).actor, body, origin),
});

const ZGrantView = z.object({
  id: z.string(),
  agentId: z.string(),
  agent: z.string(),
  tool: z.string(),
  resource: z.string().nullable(),
  fromActionId: z.string(),
  grantedByLabel: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  endedAt: z.string().nullable(),
  endedByLabel: z.string().nullable(),
  endReason: z.string().nullable(),
  live: z.boolean(),
});

/** A grant as the API answers it (times as ISO text). */
const grantView = (g: GrantView) => ({
  id: g.id,
  agentId: g.agentId,
  agent: g.agent,
  tool: g.tool,
  resource: g.resource,
  fromActionId: g.fromActionId,
  grantedByLabel: g.grantedByLabel,
  createdAt: g.createdAt.toISOString(),
  expiresAt: g.expiresAt.toISOString(),
  endedAt: g.endedAt?.toISOString() ?? null,
  endedByLabel: g.endedByLabel,
  endReason: g.endReason,
  live: g.live,
});

export const listGrantsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/approval-grants",
  operationId: "listApprovalGrants",
  summary: "Approval grants (same tool, same resource, one agent, for N minutes): the live ones, or with includeEnded the latest 200",
  tag: "Approvals",
  auth: { user: "approver" },
  query: z.object({ includeEnded: z.enum(["true", "false"]).default("false") }),
  response: z.object({ grants: z.array(ZGrantView) }),
  handler: async ({ db, query }) => ({ grants: (await listApprovalGrants(db, { includeEnded: query.includeEnded === "true" })).map(grantView) }),
});

export const revokeGrantRoute = defineRoute({
  method: "POST",
  path: "/api/v1/approval-grants/{id}/revoke",
  operationId: "revokeApprovalGrant",
  answers: { 409: "The grant already ended or expired" },
  summary: "End an approval grant now; the agent's next such call waits for a human again",
  tag: "Approvals",
  auth: { user: "approver" },
  params: z.object({ id: ZUuid }),
  body: z.strictObject({ reason: z.string().trim().max(500).default("") }),
  response: ZGrantView,
  handler: async ({ db, principal, params, body, origin }) =>
    grantView(await revokeApprovalGrant(db, personPrincipal(principal).actor, { id: params.id, reason: body.reason }, origin)),
});
