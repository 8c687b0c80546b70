import { createHash } from "node:crypto";
import type { z } from "zod";
import { authenticateBearer, bearerFromHeaders, type BearerPrincipal } from "../auth/authenticate-bearer";
import type { RequestOrigin } from "../auth/actor";
import { roleAtLeast } from "../auth/roles";
import { db as defaultDb, type DbOrTx } from "../db/client";
import type { Role } from "../db/generated/enums";
import { env } from "../env";
import { AppError } from "../errors";
import { clientIp } from "../lib/client-ip";
import { isRootClient, transaction } from "../db/transaction";
import { capAnswerDepth } from "../lib/showable-json";
import { assertSafeInput } from "./safe-input";
import { claimIdempotencyKey, storeIdempotentResponse } from "./idempotency";
import { describeProblems, fieldProblems, isUniqueViolation, isValidationFailure } from "./validation";

/** Who may call a route: agents by key, people by personal token with at least a role. */
export type RouteAuth = { agent?: true; user?: Role } | "public";

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export type RouteContext<B, Q, P> = {
  db: DbOrTx;
  principal: BearerPrincipal;
  body: B;
  query: Q;
  params: P;
  origin: RequestOrigin;
  request: Request;
};

/** A handler may pick its status (200 for a deduplicated create, say) or stream its own Response. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export type RouteSpec<BS extends Schema | undefined, QS extends Schema | undefined, PS extends Schema | undefined> = {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** The OpenAPI path, with {name} for parameters. */
  path: string;
  summary: string;
  tag: string;
  auth: RouteAuth;
  params?: PS;
  query?: QS;
  body?: BS;
  response?: Schema;
  successStatus?: number;
  /** Writes that honour the Idempotency-Key header. */
  idempotent?: boolean;
  maxBodyBytes?: number;
  handler: (ctx: RouteContext<Out<BS>, Out<QS>, Out<PS>>) => Promise<unknown>;
};

export type ApiRoute = {
  spec: RouteSpec<Schema | undefined, Schema | undefined, Schema | undefined>;
  handle: (request: Request, context?: { params?: Promise<Record<string, string | string[]>> }) => Promise<Response>;
};

export function errorResponse(error: AppError): Response {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  return Response.json(
    { error: { code: error.code.toLowerCase(), message: error.message, ...(error.details ? { details: error.details } : {}) } },
    { status: error.status, headers },
  );
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isUniqueViolation(error)) return new AppError("CONFLICT", "That already exists (a concurrent request created it first)");
  if (isValidationFailure(error)) {
    const problems = fieldProblems(error);
    return new AppError("BAD_REQUEST", describeProblems(problems), { details: problems });
  }
  console.error("[api] unexpected error", error);
  return new AppError("INTERNAL", "Internal error: the server log has the details");
}

function parseWith<S extends Schema | undefined>(schema: S, value: unknown, where: string): Out<S> {
  // Every value, even one no schema reads, is checked before anything walks it (a stream's query too).
  assertSafeInput(value, where === "body" ? undefined : where);
  if (!schema) return undefined as Out<S>;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as Out<S>;
  const problems = fieldProblems(parsed.error).map((p) => ({
    field: where === "body" ? p.field : `${where}.${p.field}`,
    message: p.message,
  }));
  throw new AppError("BAD_REQUEST", describeProblems(problems), { details: problems });
}

async function readBody(request: Request, limit: number): Promise<{ text: string; json: unknown }> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw new AppError("PAYLOAD_TOO_LARGE", `body: larger than the limit of ${limit} bytes`);
  const text = await request.text();
  if (Buffer.byteLength(text) > limit) throw new AppError("PAYLOAD_TOO_LARGE", `body: larger than the limit of ${limit} bytes`);
  if (text.trim() === "") return { text, json: {} };
  try {
    return { text, json: JSON.parse(text) };
  } catch {
    // curl -d sends form encoding by default: the body is read as JSON whatever the content type says.
    throw new AppError("BAD_REQUEST", "body: not valid JSON", { details: [{ field: "(body)", message: "not valid JSON" }] });
  }
}

async function authenticate(request: Request, auth: RouteAuth, db: DbOrTx): Promise<BearerPrincipal | null> {
  if (auth === "public") return null;
  const secret = bearerFromHeaders(request.headers);
  if (!secret) throw new AppError("UNAUTHORIZED", "Authorization: send `Bearer <agent key or personal token>`");
  const principal = await authenticateBearer(db, secret);
  if (!principal) throw new AppError("UNAUTHORIZED", "Authorization: the key or token is unknown or revoked");
  if (principal.kind === "agent" && !auth.agent) {
    throw new AppError("FORBIDDEN", "This call is for people's tokens, not agent keys");
  }
  if (principal.kind === "user") {
    if (!auth.user) throw new AppError("FORBIDDEN", "This call is for agent keys, not personal tokens");
    if (!roleAtLeast(principal.actor.role, auth.user)) {
      throw new AppError("FORBIDDEN", `This call needs the ${auth.user} role; the token's owner is ${principal.actor.role}`);
    }
  }
  return principal;
}

function toResponse(result: unknown, successStatus: number): { status: number; body: unknown; headers: Record<string, string> } {
  // A stored value nested too deep is shown as a marker rather than overflowing the serialiser.
  if (result instanceof Reply) return { status: result.status, body: capAnswerDepth(result.body), headers: result.headers };
  return { status: successStatus, body: capAnswerDepth(result), headers: {} };
}

/**
 * The frame every /api/v1 endpoint shares: bearer authentication and role check, body size
 * limit, zod validation of params, query and body that names the bad field, one JSON error
 * shape, and Idempotency-Key for writes. The same spec feeds /api/v1/openapi.json.
 */
export function defineRoute<BS extends Schema | undefined = undefined, QS extends Schema | undefined = undefined, PS extends Schema | undefined = undefined>(
  spec: RouteSpec<BS, QS, PS>,
  db: DbOrTx = defaultDb,
): ApiRoute {
  const handle = async (request: Request, context?: { params?: Promise<Record<string, string | string[]>> }) => {
    try {
      const principal = await authenticate(request, spec.auth, db);
      const params = parseWith(spec.params as PS, (await context?.params) ?? {}, "path");
      const url = new URL(request.url);
      const query = parseWith(spec.query as QS, Object.fromEntries(url.searchParams), "query");
      const raw = spec.body ? await readBody(request, spec.maxBodyBytes ?? env.WARDEN_MAX_BODY_BYTES) : { text: "", json: undefined };
      const body = parseWith(spec.body as BS, raw.json, "body");
      const origin = { ip: clientIp(request.headers) };
      const run = (handlerDb: DbOrTx) =>
        spec.handler({ db: handlerDb, principal: principal!, body, query, params, origin, request });

      const idempotencyKey = request.headers.get("idempotency-key");
      if (spec.idempotent && idempotencyKey !== null && principal && isRootClient(db)) {
        return await transaction(
          db,
          async (tx) => {
            const claim = await claimIdempotencyKey(tx, {
              principal: `${principal.kind}:${principal.actor.id}`,
              key: idempotencyKey,
              method: spec.method,
              path: url.pathname,
              requestHash: createHash("sha256").update(`${spec.method} ${url.pathname}\n${raw.text}`).digest("hex"),
            });
            if (claim.replay) {
              return Response.json(claim.replay.body, { status: claim.replay.status, headers: { "idempotent-replayed": "true" } });
            }
            const out = toResponse(await run(tx), spec.successStatus ?? 200);
            await storeIdempotentResponse(tx, claim.id, out.status, out.body);
            return Response.json(out.body, { status: out.status, headers: out.headers });
          },
          { timeout: 30_000, maxWait: 10_000 },
        );
      }
      const result: unknown = await run(db);
      if (result instanceof Response) return result;
      const out = toResponse(result, spec.successStatus ?? 200);
      if (out.status === 204) return new Response(null, { status: 204, headers: out.headers });
      return Response.json(out.body, { status: out.status, headers: out.headers });
    } catch (error) {
      return errorResponse(toAppError(error));
    }
  };
  return { spec: spec as unknown as ApiRoute["spec"], handle };
}
