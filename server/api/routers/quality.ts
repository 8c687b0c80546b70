import { listItemScores } from "../../quality/list-scores";
import { qualitySeries } from "../../quality/quality-series";
import { rateItem } from "../../quality/rate-item";
import { ZQualitySeriesQuery, ZRateRequest, ZScoreTarget } from "../../schemas/quality";
import { createTRPCRouter, viewerProcedure } from "../trpc";

// Viewers are the managers who read the metrics: rating the work is part of that, so every
// procedure here is open to viewers and up.
export const qualityRouter = createTRPCRouter({
  forItem: viewerProcedure.input(ZScoreTarget).query(({ ctx, input }) => listItemScores(ctx.db, input, ctx.user.id)),
  rate: viewerProcedure.input(ZRateRequest).mutation(({ ctx, input }) => rateItem(ctx.db, ctx.user, input, { ip: ctx.ip })),
  series: viewerProcedure.input(ZQualitySeriesQuery).query(({ ctx, input }) => qualitySeries(ctx.db, input)),
});
