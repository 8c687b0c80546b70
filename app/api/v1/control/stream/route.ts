import { streamRoute } from "@/server/control/control-routes";

export const dynamic = "force-dynamic";
export const GET = streamRoute.handle;
