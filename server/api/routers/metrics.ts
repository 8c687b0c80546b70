import { z } from "zod";
import { learningSignals } from "../../memory/learning-signals";
import { getMetricSettings, saveMetricSettings, ZMetricSettings } from "../../metrics/metric-settings";
import { loadDriftEvents, loadOverview } from "../../metrics/metrics-queries";
import { ZUuid } from "../../schemas/common";
import { adminProcedure, createTRPCRouter, viewerProcedure } from "../trpc";

const MAX_RANGE_DAYS = 366;

/** The range and filters every metrics query takes. */
export const ZMetricsScope = z
  .object({
    from: z.date(),
    to: z.date(),
    agentId: ZUuid.optional(),
    team: z.string().trim().min(1).max(64).optional(),
  })
  .refine((s) => s.from < s.to, { message: "must be after from", path: ["to"] })
  .refine((s) => s.to.getTime() - s.from.getTime() <= MAX_RANGE_DAYS * 86400_000, { message: `a range is at most ${MAX_RANGE_DAYS} days`, path: ["from"] });

export const metricsRouter = createTRPCRouter({
  overview: viewerProcedure.input(ZMetricsScope).query(({ ctx, input }) => loadOverview(ctx.db, input)),
  drift: viewerProcedure.input(ZMetricsScope).query(({ ctx, input }) => loadDriftEvents(ctx.db, input)),
  learning: viewerProcedure.input(ZMetricsScope).query(({ ctx, input }) => learningSignals(ctx.db, input)),
  settings: viewerProcedure.query(({ ctx }) => getMetricSettings(ctx.db)),
  saveSettings: adminProcedure.input(ZMetricSettings).mutation(({ ctx, input }) => saveMetricSettings(ctx.db, ctx.user, input, { ip: ctx.ip })),
});
