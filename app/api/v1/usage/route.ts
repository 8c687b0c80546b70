import { recordUsageRoute } from "@/server/cost/cost-routes";

export const POST = recordUsageRoute.handle;
