import { deletePriceRoute, listPricesRoute, putPriceRoute } from "@/server/cost/cost-routes";

export const GET = listPricesRoute.handle;
export const PUT = putPriceRoute.handle;
export const DELETE = deletePriceRoute.handle;
