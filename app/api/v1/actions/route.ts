import { proposeActionRoute } from "@/server/actions/action-routes";

export const POST = proposeActionRoute.handle;
