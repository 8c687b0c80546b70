import { rollbackResultRoute } from "@/server/control/control-routes";

export const POST = rollbackResultRoute.handle;
