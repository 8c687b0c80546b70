import { z } from "zod";
import { defineRoute } from "../http/api-route";
import { ZPolicyDocumentShape, ZSavePolicyRequest } from "../schemas/policy";
import { getCurrentPolicy } from "./current-policy";
import { savePolicy } from "./save-policy";
import { personPrincipal } from "../auth/authenticate-bearer";

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
