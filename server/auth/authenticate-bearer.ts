import type { HeaderReader } from "../http/api-route";
import type { DbOrTx } from "../db/client";
import { isRootClient } from "../db/transaction";
import { busInvalidatedCache } from "../lib/bus-cache";
import { AppError } from "../errors";
import DataLoader from "dataloader";
import { sqlExecute, sqlRows } from "../db/direct-sql";
import { Prisma, type Agent } from "../db/generated/client";
import type { EffectiveControl } from "../control/effective-state";
import type { AgentActor, UserActor } from "./actor";
import { hashSecret, secretKind } from "./secrets";

export type BearerPrincipal =
  { kind: "agent"; actor: AgentActor; keyId: string; agent: Agent; control: EffectiveControl } | { kind: "user"; actor: UserActor; tokenId: string };

// last_used_at / last_seen_at are written at most this often per key, so a busy agent does not
// turn every read into a write.
const TOUCH_INTERVAL_MS = 30_000;

export function bearerFromHeaders(headers: HeaderReader): string | null {
  const value = headers.get("authorization");
  if (!value) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match ? match[1]! : null;
}

/**
 * Principals by secret hash, for one second: an agent making calls back to back is looked up
 * once a second, not on every call. Whatever changes what a principal may do is announced on
 * the bus by the instance that changed it, and drops every cached principal on every instance
 * (a revoked key is refused within milliseconds; the second bounds it should an announcement be
 * lost, or a key be revoked in the database behind Warden's back). Agent keys missing from the
 * cache at the same moment are looked up together, in one statement (a suspend's thousand
 * acknowledgements arrive at once).
 *
 * Control changes do not drop them: a suspend would otherwise make its thousand agents' acknowledgements
 * a thousand key lookups at the worst moment. The control state read with the key may so be a
 * second old, and nothing decides on it alone: the decision's statement re-checks it
 * (server/actions/propose-action.ts), the claim checks it in its UPDATE, the heartbeat and task
 * creation read it fresh.
 */
const ACCESS_EVENTS = new Set(["agent.access_revoked", "agent.changed", "user.access_changed", "sessions.ended"]);
const principals = busInvalidatedCache<BearerPrincipal | null>({
  maxAgeMs: 1_000,
  maxEntries: 10_000,
  invalidates: (event) => ACCESS_EVENTS.has(event.type),
});

/**
 * Resolves an agent key or a personal token to its principal, or null when it is unknown,
 * revoked, or belongs to a deactivated agent or person (cached for a second; see above).
 */
export async function authenticateBearer(db: DbOrTx, secret: string): Promise<BearerPrincipal | null> {
  const kind = secretKind(secret);
  if (!kind) return null;
  const hash = hashSecret(secret);
  // Inside a transaction the caller reads its own snapshot, not the cache.
  if (!isRootClient(db)) return lookUpPrincipal(db, kind, hash);
  return principals.get(hash, () => lookUpPrincipal(db, kind, hash));
}

type AgentKeyRow = Agent & {
  keyId: string;
  keyRevokedAt: Date | null;
  controlState: EffectiveControl["state"];
  controlReason: string | null;
  controlEpoch: bigint;
  keyHash: string;
};

/**
 * The keys, their agents and the agents' effective control state (so a suspend applies from the
 * very next request), in one plain SELECT; the "last used" of the keys and agents not touched for
 * TOUCH_INTERVAL_MS is written by a second statement, only when there are such. The touches were
 * once written by the same statement, as CTEs: PostgreSQL planned that statement afresh on every
 * lookup (0.8 ms of its CPU, against 0.3 to run it), and a fleet-wide suspend's thousand
 * acknowledgements are a thousand lookups, each a second after its stream's last one.
 */
async function lookUpAgentKeys(db: DbOrTx, hashes: readonly string[]): Promise<(AgentKeyRow | null)[]> {
  const rows = await sqlRows<AgentKeyRow & { keyLastUsedAt: Date | null }>(
    db,
    Prisma.sql`
    SELECT k.key_hash AS "keyHash", k.id AS "keyId", k.last_used_at AS "keyLastUsedAt", k.revoked_at AS "keyRevokedAt",
           ac.state::text AS "controlState", ac.reason AS "controlReason", ac.epoch AS "controlEpoch",
           a.id, a.name, a.role::text AS role, a.team, a.parent_id AS "parentId", a.capabilities, a.tools, a.scopes,
           a.owner_id AS "ownerId", a.active,
           a.created_at AS "createdAt", a.updated_at AS "updatedAt", a.last_seen_at AS "lastSeenAt"
      FROM agent_keys k JOIN agents a ON a.id = k.agent_id JOIN agent_control ac ON ac.agent_id = a.id
     WHERE k.key_hash = ANY(${[...hashes]}::text[])`,
  );
  const staleBefore = Date.now() - TOUCH_INTERVAL_MS;
  const stale = rows.filter((row) => !row.keyRevokedAt && row.active && (!row.keyLastUsedAt || row.keyLastUsedAt.getTime() < staleBefore));
  if (stale.length > 0) await touchKeys(db, stale);
  const byHash = new Map(rows.map(({ keyLastUsedAt: _used, ...row }) => [row.keyHash, row]));
  return hashes.map((hash) => byHash.get(hash) ?? null);
}

/** Best effort, never waiting: a row another statement holds is being written anyway. */
async function touchKeys(db: DbOrTx, stale: { keyId: string; id: string }[]): Promise<void> {
  await sqlExecute(
    db,
    Prisma.sql`
    WITH touched_keys AS (
      UPDATE agent_keys SET last_used_at = now()
       WHERE id IN (SELECT id FROM agent_keys WHERE id = ANY(${stale.map((row) => row.keyId)}::uuid[]) FOR UPDATE SKIP LOCKED)
    )
    UPDATE agents SET last_seen_at = now()
     WHERE id IN (SELECT id FROM agents WHERE id = ANY(${stale.map((row) => row.id)}::uuid[]) FOR UPDATE SKIP LOCKED)`,
  );
}

// Per database client: the agent keys missing from the cache in the same tick, looked up together.
const keyLoaders = new WeakMap<object, DataLoader<string, AgentKeyRow | null>>();

function agentKeyLoader(db: DbOrTx): DataLoader<string, AgentKeyRow | null> {
  let loader = keyLoaders.get(db);
  if (!loader) {
    // No cache of its own: the principals cache above is the one, with its invalidation.
    loader = new DataLoader((hashes) => lookUpAgentKeys(db, hashes), { cache: false, maxBatchSize: 500 });
    keyLoaders.set(db, loader);
  }
  return loader;
}

async function lookUpPrincipal(db: DbOrTx, kind: NonNullable<ReturnType<typeof secretKind>>, hash: string): Promise<BearerPrincipal | null> {
  const touchBefore = new Date(Date.now() - TOUCH_INTERVAL_MS);
  if (kind === "agentKey") {
    // In a transaction on its own (its snapshot); from the client, batched with the other misses.
    const row = isRootClient(db) ? await agentKeyLoader(db).load(hash) : (await lookUpAgentKeys(db, [hash]))[0];
    if (!row || row.keyRevokedAt || !row.active) return null;
    const { keyId, keyHash: _hash, keyRevokedAt: _revoked, controlState, controlReason, controlEpoch, ...agent } = row;
    return {
      kind: "agent",
      keyId,
      agent,
      control: { state: controlState, reason: controlReason, epoch: Number(controlEpoch) },
      actor: { type: "agent", id: agent.id, label: agent.name, role: agent.role, team: agent.team },
    };
  }
  const token = await db.apiToken.findUnique({ where: { tokenHash: hash }, include: { user: true } });
  // A person without a role (waiting for an admin) has no rights to carry.
  if (!token || token.revokedAt || !token.user.active || !token.user.role) return null;
  if (!token.lastUsedAt || token.lastUsedAt < touchBefore) {
    await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } });
  }
  const { user } = token;
  return { kind: "user", tokenId: token.id, actor: { type: "user", id: user.id, label: user.email, role: token.user.role } };
}

/**
 * Narrows a route's principal to an agent or to a person. The route frame already refuses the
 * other kind for routes limited to one (403), so these only tell TypeScript what it knows.
 */
export function agentPrincipal(principal: BearerPrincipal): Extract<BearerPrincipal, { kind: "agent" }> {
  if (principal.kind !== "agent") throw new AppError("FORBIDDEN", "This call is for agent keys");
  return principal;
}

export function personPrincipal(principal: BearerPrincipal): Extract<BearerPrincipal, { kind: "user" }> {
  if (principal.kind !== "user") throw new AppError("FORBIDDEN", "This call is for people's tokens");
  return principal;
}
