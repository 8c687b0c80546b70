import { rejectRoute } from "@/server/approvals/approval-routes";

export const POST = rejectRoute.handle;
