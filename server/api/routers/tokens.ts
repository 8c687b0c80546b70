import { createApiToken, listApiTokens, revokeApiToken } from "../../users/api-tokens";
import { ZCreateApiTokenRequest, ZRevokeApiTokenRequest } from "../../schemas/users";
import { authedProcedure, createTRPCRouter } from "../trpc";

/** Every signed-in person manages their own personal tokens. */
export const tokensRouter = createTRPCRouter({
  list: authedProcedure.query(({ ctx }) => listApiTokens(ctx.db, ctx.user.id)),
  create: authedProcedure.input(ZCreateApiTokenRequest).mutation(({ ctx, input }) => createApiToken(ctx.db, ctx.user, input.name, { ip: ctx.ip })),
  revoke: authedProcedure.input(ZRevokeApiTokenRequest).mutation(({ ctx, input }) => revokeApiToken(ctx.db, ctx.user, input.tokenId, { ip: ctx.ip })),
});
