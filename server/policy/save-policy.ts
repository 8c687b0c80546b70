import type { RequestOrigin, UserActor } from "../auth/actor";
import { appendAudit } from "../audit/append-audit";
import type { DbOrTx } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { inTransaction } from "../db/transaction";
import { AppError } from "../errors";
import { describeChanges, type Change } from "../lib/describe-changes";
import { publish } from "../events/bus";
import { ZPolicyDocument, ZSavePolicyRequest, type PolicyDocument } from "../schemas/policy";
import { forgetCachedPolicy, getCurrentPolicy } from "./current-policy";
import { ADVISORY_LOCKS } from "../db/advisory-locks";
import { assertRulesCompile } from "./compiled-rules";

export type PolicyChange = Change;

export function diffPolicies(before: PolicyDocument, after: PolicyDocument): PolicyChange[] {
  return describeChanges(before, after);
}

/** Saves a new policy version; refuses when someone saved another since the editor loaded. */
export async function savePolicy(
  db: DbOrTx,
  actor: UserActor,
  request: { document: PolicyDocument; comment?: string; baseVersion?: number },
  origin?: RequestOrigin,
) {
  const input = ZSavePolicyRequest.parse(request);
  // A rule whose condition does not compile is refused here, naming the rule and the position.
  assertRulesCompile(input.document);
  const saved = await inTransaction(db, async (tx) => {
    // One writer at a time, so versions are dense and the base check is exact.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.policySave})`;
    const current = await getCurrentPolicy(tx, { fresh: true });
    if (input.baseVersion !== undefined && input.baseVersion !== current.version) {
      throw new AppError("CONFLICT", `version ${current.version} was saved by ${current.authorLabel} since you loaded version ${input.baseVersion}`);
    }
    const changes = diffPolicies(current.document, input.document);
    if (changes.length === 0) throw new AppError("CONFLICT", "nothing changed: the draft is the policy in force");
    const version = current.version + 1;
    await tx.policyVersion.create({
      data: {
        version,
        document: input.document as Prisma.InputJsonObject,
        comment: input.comment,
        authorId: actor.id,
        authorLabel: actor.label,
      },
    });
    await publish(tx, { type: "policy.changed", version });
    await appendAudit(tx, {
      actor,
      verb: "policy.update",
      subject: { type: "policy", id: String(version) },
      data: { version, comment: input.comment, changes },
      origin,
    });
    return { version, changes };
  });
  forgetCachedPolicy();
  return saved;
}

export async function listPolicyVersions(db: DbOrTx) {
  const rows = await db.policyVersion.findMany({ orderBy: { version: "desc" }, take: 100 });
  return rows.map((row, i) => {
    const previous = rows[i + 1];
    return {
      version: row.version,
      comment: row.comment,
      authorLabel: row.authorLabel,
      createdAt: row.createdAt,
      document: readStoredDocument(row.document),
      changes: previous ? diffPolicies(readStoredDocument(previous.document), readStoredDocument(row.document)) : [],
    };
  });
}

/** A stored version as it reads today (older overrides as rules); a row that no longer parses is shown as stored. */
function readStoredDocument(stored: unknown): PolicyDocument {
  const parsed = ZPolicyDocument.safeParse(stored);
  return parsed.success ? parsed.data : (stored as PolicyDocument);
}
