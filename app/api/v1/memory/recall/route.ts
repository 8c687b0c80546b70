import { recallRoute } from "@/server/memory/memory-routes";

export const GET = recallRoute.handle;
