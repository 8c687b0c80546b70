import { heartbeatRoute } from "@/server/control/control-routes";

export const POST = heartbeatRoute.handle;
