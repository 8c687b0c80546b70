import { meRoute } from "@/server/auth/me-route";

export const GET = meRoute.handle;
