import { deleteBudgetRoute, updateBudgetRoute } from "@/server/cost/cost-routes";

export const PUT = updateBudgetRoute.handle;
export const DELETE = deleteBudgetRoute.handle;
