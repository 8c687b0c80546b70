import { recordMemoryRoute } from "@/server/memory/memory-routes";

export const POST = recordMemoryRoute.handle;
