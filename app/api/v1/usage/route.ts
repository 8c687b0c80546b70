import { recordUsageRoute } from "@/server/cost/usage-routes";

export const POST = recordUsageRoute.handle;
