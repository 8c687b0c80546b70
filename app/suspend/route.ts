import { rootControlRoutes } from "@/server/control/control-routes";

// As operators type it: curl -X POST http://warden:11480/suspend (with an operator token).
export const POST = rootControlRoutes.suspend.handle;
