import type { DbOrTx } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { busInvalidatedCache } from "../lib/bus-cache";
import { DEFAULT_POLICY, ZPolicyDocument, type PolicyDocument } from "../schemas/policy";

export type CurrentPolicy = { version: number; document: PolicyDocument; createdAt: Date; authorLabel: string };

const cache = busInvalidatedCache<CurrentPolicy>({ maxAgeMs: 5_000, invalidates: (e) => e.type === "policy.changed" });

async function loadCurrentPolicy(db: DbOrTx): Promise<CurrentPolicy> {
  let row = await db.policyVersion.findFirst({ orderBy: { version: "desc" } });
  if (!row) {
    await db.$executeRaw`
      INSERT INTO policy_versions (version, document, comment, author_label)
      VALUES (1, ${JSON.stringify(DEFAULT_POLICY)}::jsonb, 'Defaults', 'warden')
      ON CONFLICT (version) DO NOTHING`;
    row = await db.policyVersion.findFirstOrThrow({ orderBy: { version: "desc" } });
  }
  // A version never changes once saved: the same version read again is the same object, so its
  // compiled rules (keyed by the document, policy/compiled-rules.ts) are compiled once per
  // version and process, not again each time this cache refreshes.
  if (lastRead?.version === row.version) return lastRead;
  lastRead = {
    version: row.version,
    document: ZPolicyDocument.parse(row.document as Prisma.JsonObject),
    createdAt: row.createdAt,
    authorLabel: row.authorLabel,
  };
  return lastRead;
}

let lastRead: CurrentPolicy | null = null;

/**
 * The policy in force, read by every decision (cached; see busInvalidatedCache). Version 1,
 * the defaults, is written the first time anyone asks.
 */
export function getCurrentPolicy(db: DbOrTx, options: { fresh?: boolean } = {}): Promise<CurrentPolicy> {
  if (options.fresh) return loadCurrentPolicy(db);
  return cache.get("current", () => loadCurrentPolicy(db));
}

export function forgetCachedPolicy(): void {
  cache.clear();
}
