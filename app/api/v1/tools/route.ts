import { listToolsRoute } from "@/server/tools/tool-routes";

export const GET = listToolsRoute.handle;
