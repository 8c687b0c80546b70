import { killTokenRoute } from "@/server/control/control-routes";

export const POST = killTokenRoute.handle;
