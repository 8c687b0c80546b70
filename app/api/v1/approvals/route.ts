import { listApprovalsRoute } from "@/server/approvals/approval-routes";

export const GET = listApprovalsRoute.handle;
