import { getCurrentPolicy } from "../../policy/current-policy";
import { replayPolicy } from "../../policy/replay-policy";
import { listPolicyVersions, savePolicy } from "../../policy/save-policy";
import { ZEndShadowRequest, ZReplayRequest, ZSavePolicyRequest, ZStartShadowRequest } from "../../schemas/policy";
import { endShadow, shadowDifference, startShadow } from "../../policy/shadow-policy";
import { z } from "zod";
import { validateRuleCondition } from "../../policy/validate-rule";
import { adminProcedure, approverProcedure, createTRPCRouter, viewerProcedure } from "../trpc";
import { listApprovalGrants, revokeApprovalGrant } from "../../policy/approval-grants";
import { ZRevokeGrantRequest, ZValidateRuleRequest } from "../../schemas/policy-rules";

export const policiesRouter = createTRPCRouter({
  current: viewerProcedure.query(({ ctx }) => getCurrentPolicy(ctx.db, { fresh: true })),
  versions: viewerProcedure.query(({ ctx }) => listPolicyVersions(ctx.db)),
  /** Checks a rule's condition as it is typed (a query: it changes nothing). Admins only: they write rules. */
  validateRule: adminProcedure.input(ZValidateRuleRequest).query(({ input }) => validateRuleCondition(input)),
  replay: adminProcedure.input(ZReplayRequest).mutation(({ ctx, input }) => replayPolicy(ctx.db, input)),
  /** The draft running in shadow and its live difference from the policy in force (null: none runs). */
  shadow: viewerProcedure.query(({ ctx }) => shadowDifference(ctx.db)),
  startShadow: adminProcedure.input(ZStartShadowRequest).mutation(({ ctx, input }) => startShadow(ctx.db, ctx.user, input, { ip: ctx.ip })),
  endShadow: adminProcedure.input(ZEndShadowRequest).mutation(({ ctx, input }) => endShadow(ctx.db, ctx.user, input, { ip: ctx.ip })),
  /** Approval grants: the live ones, or all of the latest 200 with ended ones. */
  grants: viewerProcedure.input(z.strictObject({ includeEnded: z.boolean().default(false) })).query(({ ctx, input }) => listApprovalGrants(ctx.db, input)),
  revokeGrant: approverProcedure.input(ZRevokeGrantRequest).mutation(({ ctx, input }) => revokeApprovalGrant(ctx.db, ctx.user, input, { ip: ctx.ip })),
  save: adminProcedure.input(ZSavePolicyRequest).mutation(({ ctx, input }) => savePolicy(ctx.db, ctx.user, input, { ip: ctx.ip })),
});
