import { ackRoute } from "@/server/control/control-routes";

export const POST = ackRoute.handle;
