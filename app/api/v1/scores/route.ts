import { recordScoreRoute } from "@/server/quality/score-routes";

export const POST = recordScoreRoute.handle;
