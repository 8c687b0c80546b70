import { actionResultRoute } from "@/server/actions/action-routes";

export const POST = actionResultRoute.handle;
