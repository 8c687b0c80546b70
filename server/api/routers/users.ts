import { createUser } from "../../users/create-user";
import { changeOwnPassword } from "../../users/change-password";
import { changeUserRole, listUsers, setUserActive } from "../../users/manage-users";
import { ZChangePasswordRequest, ZChangeRoleRequest, ZCreateUserRequest, ZSetUserActiveRequest } from "../../schemas/users";
import { adminProcedure, authedProcedure, createTRPCRouter } from "../trpc";

export const usersRouter = createTRPCRouter({
  me: authedProcedure.query(({ ctx }) => ctx.user),
  changePassword: authedProcedure
    .input(ZChangePasswordRequest)
    .mutation(({ ctx, input }) => changeOwnPassword(ctx.db, ctx.user, ctx.sessionId ?? null, input, { ip: ctx.ip })),
  list: adminProcedure.query(({ ctx }) => listUsers(ctx.db)),
  create: adminProcedure.input(ZCreateUserRequest).mutation(({ ctx, input }) => createUser(ctx.db, ctx.user, input, { ip: ctx.ip })),
  changeRole: adminProcedure.input(ZChangeRoleRequest).mutation(({ ctx, input }) => changeUserRole(ctx.db, ctx.user, input.userId, input.role, { ip: ctx.ip })),
  setActive: adminProcedure
    .input(ZSetUserActiveRequest)
    .mutation(({ ctx, input }) => setUserActive(ctx.db, ctx.user, input.userId, input.active, { ip: ctx.ip })),
});
