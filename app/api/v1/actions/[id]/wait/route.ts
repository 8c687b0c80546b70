import { waitActionRoute } from "@/server/actions/action-routes";

export const dynamic = "force-dynamic";
export const GET = waitActionRoute.handle;
