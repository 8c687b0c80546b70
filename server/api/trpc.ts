import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { UserActor } from "../auth/actor";
import { roleAtLeast } from "../auth/roles";
import { getSignedInSession } from "../auth/session";
import { db } from "../db/client";
import type { Role } from "../db/generated/enums";
import { AppError, type ErrorCode } from "../errors";
import { clientIp } from "../lib/client-ip";
import { capAnswerDepth } from "../lib/showable-json";
import { assertSafeInput } from "../http/safe-input";
import { describeProblems, fieldProblems, isUniqueViolation, isValidationFailure } from "../http/validation";

/** `sessionId`: the browser session the request came with (absent for in-process callers). */
export type TRPCContext = { db: typeof db; user: UserActor | null; ip: string | null; sessionId?: string | null };

export async function createTRPCContext(opts: { headers: Headers }): Promise<TRPCContext> {
  const session = await getSignedInSession();
  return { db, user: session?.user ?? null, sessionId: session?.sessionId ?? null, ip: clientIp(opts.headers) };
}

const TRPC_CODE: Record<ErrorCode, TRPCError["code"]> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  METHOD_NOT_ALLOWED: "METHOD_NOT_SUPPORTED",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNPROCESSABLE: "UNPROCESSABLE_CONTENT",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

/**
 * superjson on the wire, with two guards: an input is refused (400 naming the field) before
 * superjson copies it, when it is nested too deep or holds NUL or an unpaired surrogate; an answer
 * has any value nested deeper than superjson can walk replaced by a marker (lib/showable-json.ts),
 * so one odd stored row cannot fail a whole list.
 */
const transformer = {
  input: {
    serialize: (value: unknown) => superjson.serialize(value),
    deserialize: (payload: unknown) => {
      guardInput(payload && typeof payload === "object" && "json" in payload ? payload.json : payload);
      // The annotations superjson applies are walked recursively too.
      if (payload && typeof payload === "object" && "meta" in payload) guardInput(payload.meta, "(meta)");
      return superjson.deserialize(payload as Parameters<typeof superjson.deserialize>[0]);
    },
  },
  output: {
    serialize: (value: unknown) => superjson.serialize(capAnswerDepth(value)),
    deserialize: (payload: unknown) => superjson.deserialize(payload as Parameters<typeof superjson.deserialize>[0]),
  },
};

function guardInput(value: unknown, where?: string): void {
  try {
    assertSafeInput(value, where);
  } catch (error) {
    if (error instanceof AppError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
    throw error;
  }
}

const t = initTRPC.context<TRPCContext>().create({
  transformer,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const fields = isValidationFailure(cause) ? fieldProblems(cause) : cause instanceof AppError ? cause.details : undefined;
    const hidden = error.code === "INTERNAL_SERVER_ERROR";
    const message = hidden
      ? "Internal error: the server log has the details"
      : isValidationFailure(cause)
        ? describeProblems(fieldProblems(cause))
        : shape.message;
    return {
      ...shape,
      message,
      data: { ...shape.data, stack: undefined, fields: fields ?? null },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Turns the services' AppError into the matching tRPC error, and logs what is hidden. */
const errors = t.middleware(async ({ next, path }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof AppError) {
      throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR" && isUniqueViolation(cause)) {
      throw new TRPCError({ code: "CONFLICT", message: "That already exists (a concurrent request created it first)", cause });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR" && isValidationFailure(cause)) {
      // A service's own schema check failed: still the caller's input, so a 400 naming the field.
      throw new TRPCError({ code: "BAD_REQUEST", message: describeProblems(fieldProblems(cause)), cause });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] ${path} failed`, result.error.cause ?? result.error);
  }
  return result;
});

/** The same input check for callers that skip the wire (createCaller, server components). */
const safeInput = t.middleware(async ({ getRawInput, next }) => {
  assertSafeInput(await getRawInput());
  return next();
});

export const publicProcedure = t.procedure.use(errors).use(safeInput);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

function roleProcedure(minimum: Role) {
  return authedProcedure.use(({ ctx, next }) => {
    if (!roleAtLeast(ctx.user.role, minimum)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${minimum} role; you are ${ctx.user.role}` });
    }
    return next();
  });
}

export const viewerProcedure = roleProcedure("viewer");
export const approverProcedure = roleProcedure("approver");
export const operatorProcedure = roleProcedure("operator");
export const adminProcedure = roleProcedure("admin");
