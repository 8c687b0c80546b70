import { z } from "zod";
import { agentDetail } from "../../fleet/agent-detail";
import { fleetOverview } from "../../fleet/fleet-overview";
import { listTasks, operateOnTask, taskDetail } from "../../tasks/manage-tasks";
import { ZUuid } from "../../schemas/common";
import { ZTaskStatus } from "../../schemas/enums";
import { createTRPCRouter, operatorProcedure, viewerProcedure } from "../trpc";

export const fleetRouter = createTRPCRouter({
  overview: viewerProcedure.query(({ ctx }) => fleetOverview(ctx.db)),
  agent: viewerProcedure.input(z.object({ id: ZUuid })).query(({ ctx, input }) => agentDetail(ctx.db, input.id)),
  tasks: viewerProcedure
    .input(z.object({ status: ZTaskStatus.optional(), capability: z.string().optional() }))
    .query(({ ctx, input }) => listTasks(ctx.db, input)),
  task: viewerProcedure.input(z.object({ id: ZUuid })).query(({ ctx, input }) => taskDetail(ctx.db, input.id)),
  operate: operatorProcedure
    .input(
      z.object({
        id: ZUuid,
        operation: z.discriminatedUnion("kind", [
          z.object({ kind: z.literal("cancel") }),
          z.object({ kind: z.literal("requeue") }),
          z.object({ kind: z.literal("reprioritize"), priority: z.number().int().min(0).max(100) }),
        ]),
      }),
    )
    .mutation(({ ctx, input }) => operateOnTask(ctx.db, ctx.user, input.id, input.operation, { ip: ctx.ip })),
});
