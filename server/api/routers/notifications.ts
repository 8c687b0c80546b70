import { z } from "zod";
import { listNotifications, markNotificationsSeen } from "../../notifications/notify";
import { createWebhook, listWebhooks, setWebhookActive } from "../../notifications/webhooks";
import { describeChannels, removeChannel, saveEmailSettings, saveSlackConnection } from "../../notifications/channels";
import { ZChannelKind, ZSaveEmail, ZSaveSlack } from "../../schemas/notification-channels";
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
  // Slack and email: settings without their secrets, which are written once and never read back.
  channels: adminProcedure.query(({ ctx }) => describeChannels(ctx.db)),
  saveSlack: adminProcedure.input(ZSaveSlack).mutation(({ ctx, input }) => saveSlackConnection(ctx.db, ctx.user, input, { ip: ctx.ip })),
  saveEmail: adminProcedure.input(ZSaveEmail).mutation(({ ctx, input }) => saveEmailSettings(ctx.db, ctx.user, input, { ip: ctx.ip })),
  removeChannel: adminProcedure
    .input(z.object({ kind: ZChannelKind }))
    .mutation(({ ctx, input }) => removeChannel(ctx.db, ctx.user, input.kind, { ip: ctx.ip })),
});
