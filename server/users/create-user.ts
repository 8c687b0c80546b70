import type { Actor, RequestOrigin } from "../auth/actor";
import { generatePassword, hashPassword } from "../auth/passwords";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import { inTransaction } from "../db/transaction";
import { AppError } from "../errors";
import { ZCreateUserRequest, type CreateUserRequest } from "../schemas/users";

export type CreatedUser = {
  user: { id: string; email: string; name: string | null; role: string | null };
  /** Present only when Warden generated the password: shown once. */
  generatedPassword?: string;
};

export async function createUser(db: DbOrTx, actor: Actor, request: CreateUserRequest, origin?: RequestOrigin): Promise<CreatedUser> {
  const input = ZCreateUserRequest.parse(request);
  const generatedPassword = input.password ? undefined : generatePassword();
  const passwordHash = await hashPassword(input.password ?? generatedPassword!);
  return inTransaction(db, async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (existing) throw new AppError("CONFLICT", `email: a user with ${input.email} already exists`);
    const user = await tx.user.create({
      data: { email: input.email, name: input.name ?? null, role: input.role, passwordHash },
      select: { id: true, email: true, name: true, role: true },
    });
    await appendAudit(tx, {
      actor,
      verb: "user.create",
      subject: { type: "user", id: user.id },
      data: { email: user.email, role: user.role },
      origin,
    });
    return { user, generatedPassword };
  });
}
