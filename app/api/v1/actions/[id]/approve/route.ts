import { approveRoute } from "@/server/approvals/approval-routes";

export const POST = approveRoute.handle;
