import { getActionRoute } from "@/server/actions/action-routes";

export const GET = getActionRoute.handle;
