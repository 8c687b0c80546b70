import { z } from "zod";
import { createBudget, deleteBudget, listBudgets, updateBudget } from "../../cost/budgets";
import { costSeries } from "../../cost/cost-series";
import { deleteModelPrice, listModelPrices, putModelPrice, unpricedModels } from "../../cost/prices";
import { topTasksByCost } from "../../cost/top-tasks";
import { ZUuid } from "../../schemas/common";
import { ZCostSeriesQuery, ZCostWindow, ZCreateBudgetRequest, ZModelName, ZPutModelPriceRequest, ZUpdateBudgetRequest } from "../../schemas/cost";
import { adminProcedure, createTRPCRouter, viewerProcedure } from "../trpc";

export const costRouter = createTRPCRouter({
  series: viewerProcedure.input(ZCostSeriesQuery).query(({ ctx, input }) => costSeries(ctx.db, input)),
  topTasks: viewerProcedure
    .input(z.object({ window: ZCostWindow, limit: z.number().int().min(1).max(100).default(10) }))
    .query(({ ctx, input }) => topTasksByCost(ctx.db, input.window, input.limit)),
  prices: viewerProcedure.query(({ ctx }) => listModelPrices(ctx.db)),
  unpricedModels: viewerProcedure.query(({ ctx }) => unpricedModels(ctx.db)),
  putPrice: adminProcedure.input(ZPutModelPriceRequest).mutation(({ ctx, input }) => putModelPrice(ctx.db, ctx.user, input, { ip: ctx.ip })),
  deletePrice: adminProcedure
    .input(z.object({ model: ZModelName }))
    .mutation(({ ctx, input }) => deleteModelPrice(ctx.db, ctx.user, input.model, { ip: ctx.ip })),
  budgets: viewerProcedure.query(({ ctx }) => listBudgets(ctx.db)),
  createBudget: adminProcedure.input(ZCreateBudgetRequest).mutation(({ ctx, input }) => createBudget(ctx.db, ctx.user, input, { ip: ctx.ip })),
  updateBudget: adminProcedure
    .input(ZUpdateBudgetRequest.extend({ id: ZUuid }))
    .mutation(({ ctx, input }) => updateBudget(ctx.db, ctx.user, input.id, { limitUsd: input.limitUsd }, { ip: ctx.ip })),
  deleteBudget: adminProcedure.input(z.object({ id: ZUuid })).mutation(({ ctx, input }) => deleteBudget(ctx.db, ctx.user, input.id, { ip: ctx.ip })),
});
