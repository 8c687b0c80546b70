import { z } from "zod";
import { loadActionView } from "../../actions/action-view";
import { actionTimeline, listActions } from "../../actions/list-actions";
import { ZActionsQuery } from "../../schemas/actions";
import { ZUuid } from "../../schemas/common";
import { createTRPCRouter, viewerProcedure } from "../trpc";

export const actionsRouter = createTRPCRouter({
  list: viewerProcedure.input(ZActionsQuery).query(({ ctx, input }) => listActions(ctx.db, input)),
  get: viewerProcedure.input(z.object({ id: ZUuid })).query(async ({ ctx, input }) => ({
    action: await loadActionView(ctx.db, input.id),
    timeline: await actionTimeline(ctx.db, input.id),
  })),
});
