import { z } from "zod";
import { decideApproval, decideMany } from "../../approvals/decide-approval";
import { listDecidedApprovals, listPendingApprovals } from "../../approvals/list-approvals";
import { ZApproveRequest, ZInboxQuery, ZRejectRequest } from "../../schemas/actions";
import { ZUuid } from "../../schemas/common";
import { approverProcedure, createTRPCRouter } from "../trpc";

export const approvalsRouter = createTRPCRouter({
  pending: approverProcedure.input(ZInboxQuery).query(({ ctx, input }) => listPendingApprovals(ctx.db, input)),
  decided: approverProcedure.query(({ ctx }) => listDecidedApprovals(ctx.db, 100)),
  approve: approverProcedure
    .input(ZApproveRequest.extend({ actionId: ZUuid }))
    .mutation(({ ctx, input }) =>
      decideApproval(
        ctx.db,
        ctx.user,
        input.actionId,
        { verdict: "approve", args: input.args, comment: input.comment, grantMinutes: input.grantMinutes },
        { ip: ctx.ip },
      ),
    ),
  reject: approverProcedure
    .input(ZRejectRequest.extend({ actionId: ZUuid }))
    .mutation(({ ctx, input }) => decideApproval(ctx.db, ctx.user, input.actionId, { verdict: "reject", reason: input.reason }, { ip: ctx.ip })),
  decideMany: approverProcedure
    .input(
      z.discriminatedUnion("verdict", [
        z.object({ verdict: z.literal("approve"), actionIds: z.array(ZUuid).min(1).max(200) }),
        z.object({
          verdict: z.literal("reject"),
          actionIds: z.array(ZUuid).min(1).max(200),
          reason: z.string().trim().min(1, "a rejection needs a reason").max(2000),
        }),
      ]),
    )
    .mutation(({ ctx, input }) =>
      decideMany(ctx.db, ctx.user, input.actionIds, input.verdict === "approve" ? { verdict: "approve" } : { verdict: "reject", reason: input.reason }, {
        ip: ctx.ip,
      }),
    ),
});
