import { createHash } from "node:crypto";
import type { DbOrTx, Tx } from "../db/client";
import { Prisma } from "../db/generated/client";
import { AppError } from "../errors";

/** The key a caller sent, with what it is bound to: the caller and the exact request. */
export type IdempotencyRequest = { principal: string; key: string; method: string; path: string; requestHash: string };

export type StoredAnswer = { status: number; body: unknown };

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function assertIdempotencyKey(key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw new AppError("BAD_REQUEST", "Idempotency-Key: use 1 to 255 visible ASCII characters", {
      details: [{ field: "Idempotency-Key", message: "use 1 to 255 visible ASCII characters" }],
    });
  }
}

/** A key is bound to its request: the method, the path and the body's exact bytes. */
export function requestHash(method: string, path: string, body: string): string {
  return createHash("sha256").update(`${method} ${path}\n${body}`).digest("hex");
}

function reusedForAnotherRequest(key: string): AppError {
  return new AppError("UNPROCESSABLE", `Idempotency-Key: ${key} was already used for a different request`, {
    details: [{ field: "Idempotency-Key", message: "already used for a different request" }],
  });
}

/**
 * Claims an Idempotency-Key inside the request's transaction. The insert takes the key's
 * unique-index entry: a concurrent retry of the same key waits on it, and once the first
 * commits, finds its stored answer and replays it. Nothing is created twice, and a failed
 * first attempt (rolled back) leaves the key free for the retry.
 */
export async function claimIdempotencyKey(tx: Tx, request: IdempotencyRequest): Promise<StoredAnswer | null> {
  const inserted = await tx.$executeRaw`
    INSERT INTO idempotency_keys (principal, key, method, path, request_hash, status, response)
    VALUES (${request.principal}, ${request.key}, ${request.method}, ${request.path}, ${request.requestHash}, 0, 'null'::jsonb)
    ON CONFLICT (principal, key) DO NOTHING`;
  if (inserted === 1) return null;
  return findStoredAnswer(tx, request);
}

/** The answer stored under the caller's key, if any; a key bound to another request is refused. */
export async function findStoredAnswer(db: DbOrTx, request: IdempotencyRequest): Promise<StoredAnswer | null> {
  const stored = await db.idempotencyKey.findUnique({ where: { principal_key: { principal: request.principal, key: request.key } } });
  if (!stored) return null;
  if (stored.requestHash !== request.requestHash) throw reusedForAnotherRequest(request.key);
  return { status: stored.status, body: stored.response };
}

export async function storeIdempotentResponse(tx: Tx, request: IdempotencyRequest, status: number, body: unknown): Promise<void> {
  await tx.idempotencyKey.update({
    where: { principal_key: { principal: request.principal, key: request.key } },
    data: { status, response: (withoutSecrets(body) ?? {}) as Prisma.InputJsonValue },
  });
}

/**
 * The key and its answer as one INSERT, for a write that adds it to its own statement. A
 * concurrent request with the same key fails that statement on the unique index (after the
 * first commits), so nothing is written twice; the frame then replays the stored answer.
 */
export function rememberAnswerSql(request: IdempotencyRequest, status: number, body: unknown): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO idempotency_keys (principal, key, method, path, request_hash, status, response)
    VALUES (${request.principal}, ${request.key}, ${request.method}, ${request.path}, ${request.requestHash}, ${status},
            ${JSON.stringify(withoutSecrets(body) ?? {})}::jsonb)`;
}

/**
 * Secrets (an agent key, a personal token) are shown once: the stored answer keeps everything
 * else and a replay returns `secret: null`, so the database never holds one in clear.
 */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "secret" ? null : withoutSecrets(v)]));
  }
  return value;
}

/** Answers are replayed for a day; older keys are forgotten by the sweep. */
export async function forgetOldIdempotencyKeys(db: DbOrTx): Promise<number> {
  return db.$executeRaw`DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`;
}
