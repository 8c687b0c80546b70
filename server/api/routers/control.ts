import { z } from "zod";
import { resolveRollbackManually } from "../../control/agent-presence";
import { changeControl } from "../../control/change-control";
import { controlEventDetail, controlHistory, controlOverview } from "../../control/control-overview";
import { issueKillToken, killWithToken } from "../../control/kill-switch";
import { resolveScope, scopeText } from "../../control/scope";
import { ZUuid } from "../../schemas/common";
import { ZControlChangeRequest, ZKillRequest, ZKillTokenRequest } from "../../schemas/control";
import { createTRPCRouter, operatorProcedure } from "../trpc";

export const controlRouter = createTRPCRouter({
  overview: operatorProcedure.query(({ ctx }) => controlOverview(ctx.db)),
  history: operatorProcedure.query(({ ctx }) => controlHistory(ctx.db)),
  event: operatorProcedure.input(z.object({ epoch: z.number().int() })).query(({ ctx, input }) => controlEventDetail(ctx.db, input.epoch)),
  change: operatorProcedure.input(ZControlChangeRequest.extend({ level: z.enum(["pause", "suspend", "resume"]) })).mutation(async ({ ctx, input }) => {
    const scope = await resolveScope(ctx.db, input.scope);
    const state = input.level === "pause" ? "paused" : input.level === "suspend" ? "suspended" : "running";
    const change = await changeControl(ctx.db, ctx.user, { scope, state, reason: input.reason }, { ip: ctx.ip });
    return { epoch: change.epoch, scope: scopeText(scope), state, agents: change.targetAgents.length };
  }),
  killToken: operatorProcedure.input(ZKillTokenRequest).mutation(({ ctx, input }) => issueKillToken(ctx.db, ctx.user, input, { ip: ctx.ip })),
  kill: operatorProcedure.input(ZKillRequest).mutation(({ ctx, input }) => killWithToken(ctx.db, ctx.user, input, { ip: ctx.ip })),
  resolveRollback: operatorProcedure
    .input(z.object({ rollbackId: ZUuid, status: z.enum(["succeeded", "failed"]) }))
    .mutation(({ ctx, input }) => resolveRollbackManually(ctx.db, ctx.user, input.rollbackId, input.status, { ip: ctx.ip })),
});
