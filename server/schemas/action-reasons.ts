import type { Reason } from "./actions";

type Decision = NonNullable<Reason["outcome"]>;

/** What a reason stored before `outcome` existed would have decided, read from its code. */
function inferredOutcome(reason: Reason): Decision | null {
  if (reason.outcome) return reason.outcome;
  const byConfidence = /^confidence_(auto_execute|execute_with_notification|require_approval)$/.exec(reason.code);
  if (byConfidence) return byConfidence[1] as Decision;
  if (["always_requires_approval", "tool_requires_confirmation", "critical_tool_quorum"].includes(reason.code)) return "require_approval";
  return null;
}

/**
 * "Why it waits" lists the reasons that decided: those whose outcome is the decision itself.
 * The rest (a confidence that alone would have let the action run) were weighed and lost; they
 * are shown apart. A reason of unknown outcome is kept with the deciding ones, never hidden.
 */
export function splitReasons(reasons: readonly Reason[], decision: Decision): { deciding: Reason[]; alsoWeighed: Reason[] } {
  const deciding: Reason[] = [];
  const alsoWeighed: Reason[] = [];
  for (const reason of reasons) {
    const outcome = inferredOutcome(reason);
    (outcome === null || outcome === decision ? deciding : alsoWeighed).push(reason);
  }
  return deciding.length > 0 ? { deciding, alsoWeighed } : { deciding: alsoWeighed, alsoWeighed: [] };
}
