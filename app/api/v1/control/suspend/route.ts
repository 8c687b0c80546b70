import { apiControlRoutes } from "@/server/control/control-routes";

export const POST = apiControlRoutes.suspend.handle;
