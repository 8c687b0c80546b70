// Human intervention rate and rubber-stamp approvals (DESIGN.md, "Evaluation and monitoring").
// Pure functions over counts a SQL query produces; no I/O.

/**
 * How one group of actions (one agent, one day, the whole fleet…) was decided, as disjoint
 * counts of the `actions` table. One pass of `count(*) filter (…)` produces them, e.g.
 *
 *   select agent_id, date_trunc('day', created_at) as day,
 *     count(*) filter (where decision in ('auto_execute', 'execute_with_notification'))::int as autonomous,
 *     count(*) filter (where decision = 'deny')::int as denied,
 *     count(*) filter (where decision = 'require_approval' and status = 'pending_approval')::int as pending,
 *     count(*) filter (where decision = 'require_approval' and status = 'rejected')::int as rejected,
 *     count(*) filter (where decision = 'require_approval' and status = 'expired')::int as expired,
 *     count(*) filter (where decision = 'require_approval' and status not in ('pending_approval', 'rejected', 'expired') and args_edited)::int as edited,
 *     count(*) filter (where decision = 'require_approval' and status not in ('pending_approval', 'rejected', 'expired') and not args_edited)::int as approved
 *   from actions where created_at >= $1 group by 1, 2
 *
 * (`::int` because PostgreSQL's count is a bigint, which the driver returns as a BigInt.)
 * "approved" and "edited" count an approval whatever happened after it (executing, succeeded,
 * failed, rolled back).
 */
export interface InterventionCounts {
  /** decided by the guardrail alone: auto_execute or execute_with_notification */
  autonomous: number;
  /** refused by the guardrail (deny): decided, with no human involved */
  denied: number;
  /** waited for a human and was approved with the args as proposed */
  approved: number;
  /** waited for a human who changed the args, then approved */
  edited: number;
  /** waited for a human who rejected it */
  rejected: number;
  /** waited for a human and nobody decided in time */
  expired: number;
  /** still waiting for a human: not decided yet, so in neither numerator nor denominator */
  pending?: number;
}

/** Which way a flagged intervention rate points. */
export type InterventionLeaning = "too_tight" | "too_loose";

export interface InterventionRate {
  /** interventions ÷ decided, in [0, 1]; null when nothing was decided */
  rate: number | null;
  /** actions that needed a human: approved + edited + rejected + expired */
  interventions: number;
  /** all decided actions: interventions + autonomous + denied */
  decided: number;
  /** rate above INTERVENTION_FLAG_RATE */
  flagged: boolean;
  /** when flagged, which way the human decisions point; null otherwise or with no human decision */
  leaning: InterventionLeaning | null;
}

/** DESIGN.md: an intervention rate above 30% is flagged. */
export const INTERVENTION_FLAG_RATE = 0.3;

/**
 * Human intervention rate as DESIGN.md defines it: actions that needed a human (approved,
 * edited, rejected, expired) ÷ all decided actions. "Decided" means the action has its final
 * answer: every guardrail decision (auto, notify, deny) plus every approval that was approved,
 * edited, rejected or expired; actions still pending are left out of both sides until they are
 * decided, so a busy inbox does not dilute today's rate. Expired counts as an intervention: the
 * action needed a human even though none came. Denials count in the denominator only: the
 * guardrail decided them without anyone.
 *
 * Above 30% the result is flagged, and `leaning` says which way the data points, read from the
 * decisions people actually made (approved, edited, rejected; an expiry tells nothing):
 * - "too_tight" when at least half were approved exactly as proposed: people wave through what
 *   the guardrail asks about, so thresholds or always-approve patterns are stricter than needed;
 * - "too_loose" when most were edited or rejected: agents keep proposing actions a person has to
 *   correct, so their confidence thresholds, tools or scopes give them more room than they
 *   handle well.
 * Per agent, per day or fleet-wide is a matter of how the counts were grouped.
 */
export function interventionRate(counts: InterventionCounts): InterventionRate {
  for (const [name, value] of Object.entries(counts)) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new RangeError(`interventionRate: ${name} must be a whole number >= 0, got ${String(value)}`);
    }
  }
  const { autonomous, denied, approved, edited, rejected, expired } = counts;
  const interventions = approved + edited + rejected + expired;
  const decided = interventions + autonomous + denied;
  if (decided === 0) return { rate: null, interventions, decided, flagged: false, leaning: null };
  const rate = interventions / decided;
  const flagged = rate > INTERVENTION_FLAG_RATE;
  const humanDecisions = approved + edited + rejected;
  let leaning: InterventionLeaning | null = null;
  if (flagged && humanDecisions > 0) leaning = approved / humanDecisions >= 0.5 ? "too_tight" : "too_loose";
  return { rate, interventions, decided, flagged, leaning };
}

/** An approval decided in under two seconds was probably not read: a rubber stamp. */
export const RUBBER_STAMP_MS = 2000;

/**
 * True for an approval decided in under RUBBER_STAMP_MS (exactly 2000 ms is not a rubber stamp).
 * The latency is decided_at − created_at of the action, i.e. from entering the inbox to the
 * decision. Throws a RangeError on a non-finite latency (an undecided action has none).
 */
export function isRubberStamp(latencyMs: number): boolean {
  if (!Number.isFinite(latencyMs)) throw new RangeError(`isRubberStamp: latency must be a finite number of ms, got ${latencyMs}`);
  return latencyMs < RUBBER_STAMP_MS;
}
