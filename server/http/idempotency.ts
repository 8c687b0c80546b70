import type { DbOrTx, Tx } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { AppError } from "../errors";

export type IdempotencyClaim =
  | { replay: null; id: { principal: string; key: string } }
  | { replay: { status: number; body: unknown } };

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Claims an Idempotency-Key inside the request's transaction. The insert takes the key's
 * unique-index entry: a concurrent retry of the same key waits on it, and once the first
 * commits, finds its stored answer and replays it. Nothing is created twice, and a failed
 * first attempt (rolled back) leaves the key free for the retry.
 */
export async function claimIdempotencyKey(
  tx: Tx,
  request: { principal: string; key: string; method: string; path: string; requestHash: string },
): Promise<IdempotencyClaim> {
  if (!KEY_PATTERN.test(request.key)) {
    throw new AppError("BAD_REQUEST", "Idempotency-Key: use 1 to 255 visible ASCII characters", {
      details: [{ field: "Idempotency-Key", message: "use 1 to 255 visible ASCII characters" }],
    });
  }
  const inserted = await tx.$executeRaw`
    INSERT INTO idempotency_keys (principal, key, method, path, request_hash, status, response)
    VALUES (${request.principal}, ${request.key}, ${request.method}, ${request.path}, ${request.requestHash}, 0, 'null'::jsonb)
    ON CONFLICT (principal, key) DO NOTHING`;
  const id = { principal: request.principal, key: request.key };
  if (inserted === 1) return { replay: null, id };
  const stored = await tx.idempotencyKey.findUniqueOrThrow({ where: { principal_key: id } });
  if (stored.requestHash !== request.requestHash) {
    throw new AppError("UNPROCESSABLE", `Idempotency-Key: ${request.key} was already used for a different request`, {
      details: [{ field: "Idempotency-Key", message: "already used for a different request" }],
    });
  }
  return { replay: { status: stored.status, body: stored.response } };
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

export async function storeIdempotentResponse(
  tx: Tx,
  id: { principal: string; key: string },
  status: number,
  body: unknown,
): Promise<void> {
  await tx.idempotencyKey.update({
    where: { principal_key: id },
    data: { status, response: (withoutSecrets(body) ?? {}) as Prisma.InputJsonValue },
  });
}
