import { putToolRoute } from "@/server/tools/tool-routes";

export const PUT = putToolRoute.handle;
