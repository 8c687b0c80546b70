import { z } from "zod";
import { defineRoute } from "../http/api-route";
import { personPrincipal } from "../auth/authenticate-bearer";
import { ZUuid } from "../schemas/common";
import { ZActionView, ZApproveRequest, ZRejectRequest } from "../schemas/actions";
import { decideApproval } from "./decide-approval";
import { listDecidedApprovals, listPendingApprovals } from "./list-approvals";

const ZIdParams = z.object({ id: ZUuid });

export const listApprovalsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/approvals",
  operationId: "listApprovals",
  summary: "The approval inbox as JSON (status=pending, the default, or decided)",
  tag: "Approvals",
  auth: { user: "approver" },
  query: z.object({
    status: z.enum(["pending", "decided"]).default("pending"),
    agent: z.string().optional(),
    tool: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  }),
  response: z.object({ total: z.number().optional(), items: z.array(ZActionView) }),
  handler: async ({ db, query }) =>
    query.status === "pending"
      ? listPendingApprovals(db, { agent: query.agent, tool: query.tool, limit: query.limit })
      : { items: await listDecidedApprovals(db, query.limit) },
});

export const approveRoute = defineRoute({
  method: "POST",
  path: "/api/v1/actions/{id}/approve",
  operationId: "approve",
  answers: { 409: "The action is no longer waiting (decided, expired), or this person may not decide it (their own, already voted)" },
  summary: "Approve, optionally with edited args; 409 with who decided if it was already decided",
  tag: "Approvals",
  auth: { user: "approver" },
  params: ZIdParams,
  body: ZApproveRequest,
  response: ZActionView,
  idempotent: true,
  handler: ({ db, principal, params, body, origin }) =>
    decideApproval(db, personPrincipal(principal).actor, params.id, { verdict: "approve", ...body }, origin),
});

export const rejectRoute = defineRoute({
  method: "POST",
  path: "/api/v1/actions/{id}/reject",
  operationId: "reject",
  answers: { 409: "The action is no longer waiting for a decision" },
  summary: "Reject with a reason (it goes back to the agent); 409 if already decided",
  tag: "Approvals",
  auth: { user: "approver" },
  params: ZIdParams,
  body: ZRejectRequest,
  response: ZActionView,
  idempotent: true,
  handler: ({ db, principal, params, body, origin }) =>
    decideApproval(db, personPrincipal(principal).actor, params.id, { verdict: "reject", reason: body.reason }, origin),
});
