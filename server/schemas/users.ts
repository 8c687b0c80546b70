import { z } from "zod";
import { ZRole, ZUuid } from "./common";

export const ZEmail = z.string().trim().toLowerCase().pipe(z.email("must be an email address").max(254));
export const ZPassword = z.string().min(12, "must be at least 12 characters").max(200, "must be at most 200 characters");

export const ZCreateUserRequest = z.strictObject({
  email: ZEmail,
  name: z.string().trim().max(100).optional(),
  role: ZRole,
  /** When absent, Warden generates one and returns it once. */
  password: ZPassword.optional(),
});
export type CreateUserRequest = z.infer<typeof ZCreateUserRequest>;

export const ZChangePasswordRequest = z.strictObject({
  currentPassword: z.string().min(1, "must not be empty").max(200),
  newPassword: ZPassword,
});
export type ChangePasswordRequest = z.infer<typeof ZChangePasswordRequest>;

export const ZChangeRoleRequest = z.strictObject({ userId: ZUuid, role: ZRole });
export const ZSetUserActiveRequest = z.strictObject({ userId: ZUuid, active: z.boolean() });

export const ZCreateApiTokenRequest = z.strictObject({
  name: z.string().trim().min(1, "must not be empty").max(80, "must be at most 80 characters"),
});
export const ZRevokeApiTokenRequest = z.strictObject({ tokenId: ZUuid });
