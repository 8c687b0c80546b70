import type { z } from "zod";
import type { RequestOrigin } from "../auth/actor";
import type { BearerPrincipal } from "../auth/authenticate-bearer";
import type { DbOrTx } from "../db/client";
import type { Prisma } from "../db/generated/client";
import type { Role } from "../db/generated/enums";
import type { EventStream } from "../events/event-stream";

/** Who may call a route: agents by key, people by personal token with at least a role. */
export type RouteAuth = { agent?: true; user?: Role } | "public";

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a route's handler may read of the request's headers (node's and fetch's both fit). */
export type HeaderReader = { get(name: string): string | null };

/**
 * A write that stores its Idempotency-Key answer in its own statement (see `idempotent:
 * "in-statement"`): the handler adds `remember(status, body)` to the statement that makes its
 * change, so the change and the stored answer commit together in one round trip.
 */
export type IdempotentWrite = { remember: (status: number, body: unknown) => Prisma.Sql };

export type RouteContext<B, Q, P> = {
  db: DbOrTx;
  principal: BearerPrincipal;
  body: B;
  query: Q;
  params: P;
  origin: RequestOrigin;
  headers: HeaderReader;
  /** Aborted when the caller goes away or the server stops: long-polls and streams end on it. */
  signal: AbortSignal;
  /** Set for `idempotent: "in-statement"` routes called with an Idempotency-Key. */
  idempotency: IdempotentWrite | null;
};

/** A handler may pick its status (200 for a deduplicated create, say) and headers. */
export class Reply<T> {
  constructor(
    readonly status: number,
    readonly body: T,
    readonly headers: Record<string, string> = {},
  ) {}
}

/**
 * What a handler returns: its response schema's output, that in a Reply, a Reply without a
 * body (204), or, for a route without a response schema, an event stream.
 */
export type Answer<RS> = RS extends z.ZodType ? z.output<RS> | Reply<z.output<RS> | undefined> : EventStream | Reply<undefined> | undefined;

export type RouteSpec<BS extends Schema | undefined, QS extends Schema | undefined, PS extends Schema | undefined, RS extends Schema | undefined> = {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** The path as served and as OpenAPI writes it, with {name} for parameters. */
  path: string;
  /** The operation's name in OpenAPI, which generated clients call it by (unique). */
  operationId: string;
  summary: string;
  tag: string;
  auth: RouteAuth;
  params?: PS;
  query?: QS;
  body?: BS;
  /** The answer's shape: types the handler's return, documents it, and is checked in tests. */
  response?: RS;
  successStatus?: number;
  /**
   * The other statuses this route answers, with when: another success (200 for a repeat, 204
   * for nothing) carries the response schema or no body; 4xx and 5xx carry the error shape.
   * 400, 401, 403, 404 (a path parameter), 413 (a body) and 422 (Idempotency-Key) are
   * documented from the spec itself.
   */
  answers?: Partial<Record<200 | 201 | 204 | 409 | 422 | 429 | 503, string>>;
  /** For an event stream: each event's name and data schema (documentation only). */
  events?: Record<string, Schema>;
  /**
   * Writes that honour the Idempotency-Key header: `true` runs the handler in a transaction
   * that claims the key first; `"in-statement"` lets the handler store the answer in the one
   * statement that makes its change (the hot path, POST /api/v1/actions).
   */
  idempotent?: true | "in-statement";
  maxBodyBytes?: number;
  handler: (ctx: RouteContext<Out<BS>, Out<QS>, Out<PS>>) => Promise<Answer<RS>>;
};

/** A route as the dispatcher, OpenAPI and the MCP endpoint see it: its spec, and nothing else. */
export type ApiRoute = RouteSpec<Schema | undefined, Schema | undefined, Schema | undefined, Schema | undefined>;

/**
 * Declares an /api/v1 route: its spec is the one place the route exists. The dispatcher
 * (server/http/dispatcher.ts) serves it, OpenAPI documents it and /api/mcp reaches it, all from
 * the list in server/http/api-routes.ts.
 */
export function defineRoute<
  BS extends Schema | undefined = undefined,
  QS extends Schema | undefined = undefined,
  PS extends Schema | undefined = undefined,
  RS extends Schema | undefined = undefined,
>(spec: RouteSpec<BS, QS, PS, RS>): ApiRoute {
  return spec as unknown as ApiRoute;
}
