import { authenticateBearer, bearerFromHeaders, type BearerPrincipal } from "../auth/authenticate-bearer";
import { roleAtLeast } from "../auth/roles";
import { db as defaultDb, type Db, type DbOrTx } from "../db/client";
import { transaction } from "../db/transaction";
import { env } from "../env";
import { EventStream } from "../events/event-stream";
import { AppError } from "../errors";
import { capAnswerDepth } from "../lib/showable-json";
import { Reply, type ApiRoute, type HeaderReader, type IdempotentWrite, type RouteAuth } from "./api-route";
import {
  assertIdempotencyKey,
  claimIdempotencyKey,
  findStoredAnswer,
  rememberAnswerSql,
  requestHash,
  storeIdempotentResponse,
  type IdempotencyRequest,
} from "./idempotency";
import { answerRecorder } from "./answer-recorder";
import { compileRoutes } from "./route-table";
import { assertSafeInput } from "./safe-input";
import { describeProblems, fieldProblems, isUniqueViolation, isValidationFailure } from "./validation";

/** A request as the dispatcher reads it; server/http/node-adapter.ts and web-adapter.ts make one. */
export type ApiRequest = {
  method: string;
  pathname: string;
  query: URLSearchParams;
  headers: HeaderReader;
  /** The body's text; refuses (413) a body over `limit` bytes without reading all of it. */
  readBody: (limit: number) => Promise<string>;
  /** Made on first use: most requests never need one. */
  signal: () => AbortSignal;
  ip: string | null;
};

/** What the dispatcher answers: JSON (undefined for no body) or an event stream. */
export type ApiAnswer =
  { status: number; headers: Record<string, string>; json: unknown } | { status: number; headers: Record<string, string>; stream: EventStream };

export type Dispatcher = {
  /** Whether this path belongs to the API (any method): the server hands it here, not to Next. */
  serves: (pathname: string) => boolean;
  dispatch: (request: ApiRequest) => Promise<ApiAnswer>;
};

export function errorAnswer(error: AppError): ApiAnswer {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  const body = { error: { code: error.code.toLowerCase(), message: error.message, ...(error.details ? { details: error.details } : {}) } };
  return { status: error.status, headers, json: body };
}

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isUniqueViolation(error)) return new AppError("CONFLICT", "That already exists (a concurrent request created it first)");
  if (isValidationFailure(error)) {
    const problems = fieldProblems(error);
    return new AppError("BAD_REQUEST", describeProblems(problems), { details: problems });
  }
  console.error("[api] unexpected error", error);
  return new AppError("INTERNAL", "Internal error: the server log has the details");
}

function parseWith(schema: ApiRoute["body"], value: unknown, where: string): unknown {
  // Every value, even one no schema reads, is checked before anything walks it (a stream's query too).
  assertSafeInput(value, where === "body" ? undefined : where);
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = fieldProblems(parsed.error).map((p) => ({
    field: where === "body" ? p.field : `${where}.${p.field}`,
    message: p.message,
  }));
  throw new AppError("BAD_REQUEST", describeProblems(problems), { details: problems });
}

function parseJsonBody(text: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    // curl -d sends form encoding by default: the body is read as JSON whatever the content type says.
    throw new AppError("BAD_REQUEST", "body: not valid JSON", { details: [{ field: "(body)", message: "not valid JSON" }] });
  }
}

async function authenticate(headers: HeaderReader, auth: RouteAuth, db: DbOrTx): Promise<BearerPrincipal | null> {
  if (auth === "public") return null;
  const secret = bearerFromHeaders(headers);
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

function replayed(stored: { status: number; body: unknown }): ApiAnswer {
  return { status: stored.status, headers: { "idempotent-replayed": "true" }, json: stored.body };
}

/**
 * The frame every /api/v1 endpoint shares: routing, bearer authentication and role check, body
 * size limit, zod validation of params, query and body that names the bad field, one JSON error
 * shape, and Idempotency-Key for writes. With `validateAnswers` (the tests) every answer is
 * checked against its route's response schema, so OpenAPI cannot drift from what is served.
 */
export function createDispatcher(routes: readonly ApiRoute[], options: { db?: Db; validateAnswers?: boolean; recordAnswersTo?: string } = {}): Dispatcher {
  const db = options.db ?? defaultDb;
  const validateAnswers = options.validateAnswers ?? env.WARDEN_VALIDATE_ANSWERS;
  const recordFile = options.recordAnswersTo ?? env.WARDEN_RECORD_ANSWERS;
  const record = recordFile ? answerRecorder(recordFile) : null;
  const table = compileRoutes(routes);

  const answerFrom = (route: ApiRoute, result: unknown): ApiAnswer => {
    if (result instanceof EventStream) return { status: 200, headers: {}, stream: result };
    const reply = result instanceof Reply ? result : new Reply(route.successStatus ?? 200, result);
    if (validateAnswers && route.response && reply.status < 300 && reply.body !== undefined) {
      // Checked as the caller will read it: after JSON.
      const wire: unknown = JSON.parse(JSON.stringify(reply.body));
      const parsed = route.response.safeParse(wire);
      if (!parsed.success) {
        throw new Error(`${route.method} ${route.path} answered outside its response schema: ${describeProblems(fieldProblems(parsed.error))}`);
      }
    }
    // A stored value nested too deep is shown as a marker rather than overflowing the serialiser.
    return { status: reply.status, headers: reply.headers, json: capAnswerDepth(reply.body) };
  };

  const run = async (request: ApiRequest): Promise<ApiAnswer> => {
    const found = table.match(request.method, request.pathname);
    if (found.kind === "none") throw new AppError("NOT_FOUND", `${request.method} ${request.pathname} is not an API route`);
    if (found.kind === "method") {
      const error = errorAnswer(new AppError("METHOD_NOT_ALLOWED", `${request.pathname} answers ${found.allowed.join(", ")}, not ${request.method}`));
      return { ...error, headers: { ...error.headers, allow: found.allowed.join(", ") } };
    }
    const { route } = found;
    const principal = await authenticate(request.headers, route.auth, db);
    const params = parseWith(route.params, found.params(), "path");
    const query = parseWith(route.query, Object.fromEntries(request.query), "query");
    const text = route.body ? await request.readBody(route.maxBodyBytes ?? env.WARDEN_MAX_BODY_BYTES) : "";
    const body = parseWith(route.body, route.body ? parseJsonBody(text) : undefined, "body");
    const origin = { ip: request.ip };
    const context = (handlerDb: DbOrTx, idempotency: IdempotentWrite | null) => ({
      db: handlerDb,
      principal: principal!,
      body,
      query,
      params,
      origin,
      headers: request.headers,
      get signal() {
        return request.signal();
      },
      idempotency,
    });

    const key = route.idempotent && principal ? request.headers.get("idempotency-key") : null;
    if (key === null) return answerFrom(route, await route.handler(context(db, null)));
    assertIdempotencyKey(key);
    const claim: IdempotencyRequest = {
      principal: `${principal!.kind}:${principal!.actor.id}`,
      key,
      method: route.method,
      path: request.pathname,
      requestHash: requestHash(route.method, request.pathname, text),
    };

    if (route.idempotent === "in-statement") {
      // The handler stores the answer in the statement that makes its change: no extra round
      // trip. A retry racing the first fails that statement on the key's unique index (or, if
      // it wrote nothing, finds nothing remembered): either way it replays what was stored.
      let remembered = false;
      const idempotency: IdempotentWrite = {
        remember: (status, answer) => {
          remembered = true;
          return rememberAnswerSql(claim, status, answer);
        },
      };
      try {
        const answer = answerFrom(route, await route.handler(context(db, idempotency)));
        if (remembered) return answer;
        const stored = await findStoredAnswer(db, claim);
        return stored ? replayed(stored) : answer;
      } catch (error) {
        const stored = isUniqueViolation(error) ? await findStoredAnswer(db, claim) : null;
        if (stored) return replayed(stored);
        throw error;
      }
    }

    return transaction(
      db,
      async (tx) => {
        const stored = await claimIdempotencyKey(tx, claim);
        if (stored) return replayed(stored);
        const answer = answerFrom(route, await route.handler(context(tx, null)));
        if ("json" in answer) await storeIdempotentResponse(tx, claim, answer.status, answer.json);
        return answer;
      },
      { timeout: 30_000, maxWait: 10_000 },
    );
  };

  return {
    serves: (pathname) => table.serves(pathname),
    dispatch: async (request) => {
      const answer = await run(request).catch((error: unknown) => errorAnswer(toAppError(error)));
      record?.(request, answer);
      return answer;
    },
  };
}
