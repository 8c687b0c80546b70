import { getPolicyRoute, putPolicyRoute } from "@/server/policy/policy-routes";

export const GET = getPolicyRoute.handle;
export const PUT = putPolicyRoute.handle;
