import { createBudgetRoute, listBudgetsRoute } from "@/server/cost/cost-routes";

export const GET = listBudgetsRoute.handle;
export const POST = createBudgetRoute.handle;
