import { z } from "zod";
import { listNotifications, markNotificationsSeen } from "../../notifications/notify";
import { createWebhook, listWebhooks, setWebhookActive } from "../../notifications/webhooks";
import { ZUuid } from "../../schemas/common";
import { WEBHOOK_EVENTS } from "../../schemas/enums";
import { adminProcedure, authedProcedure, createTRPCRouter } from "../trpc";

export const notificationsRouter = createTRPCRouter({
  feed: authedProcedure.query(({ ctx }) => listNotifications(ctx.db, ctx.user.id)),
  markSeen: authedProcedure.mutation(({ ctx }) => markNotificationsSeen(ctx.db, ctx.user.id)),
  webhooks: adminProcedure.query(({ ctx }) => listWebhooks(ctx.db)),
  createWebhook: adminProcedure
    .input(
      z.object({
        url: z.url("must be an http(s) URL").refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL"),
        events: z.array(z.enum([...WEBHOOK_EVENTS, "*"])).min(1, "choose at least one event"),
      }),
    )
    .mutation(({ ctx, input }) => createWebhook(ctx.db, ctx.user, input, { ip: ctx.ip })),
  setWebhookActive: adminProcedure
    .input(z.object({ id: ZUuid, active: z.boolean() }))
    .mutation(({ ctx, input }) => setWebhookActive(ctx.db, ctx.user, input.id, input.active, { ip: ctx.ip })),
});
