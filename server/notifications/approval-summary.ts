import { splitReasons } from "../schemas/action-reasons";
import type { ActionView } from "../schemas/actions";

/**
 * What a person needs to decide an approval request, the same in Slack and email: the action,
 * who proposed it, how sure it is, why it waits (only the reasons that decided, as the inbox
 * shows them), the past failures that match, and where it stands now.
 */
export type ApprovalSummary = {
  actionId: string;
  action: string;
  agent: string;
  team: string;
  tool: string | null;
  resource: string | null;
  risk: string;
  confidence: string;
  rationale: string | null;
  /** The args that would run (an earlier voter's edit included), as canonical JSON. */
  args: string;
  /** An approver edited the args: they differ from what the agent proposed. */
  argsEdited: boolean;
  reasons: string[];
  failures: { subject: string; body: string }[];
  /** "pending" while it waits; else what happened, in words ("Approved by ann@…"). */
  outcome: { pending: true; progress: string | null } | { pending: false; text: string; tone: "approved" | "rejected" | "other" };
  expiresAt: string | null;
  /** The console's page for it (sign-in required there). */
  consoleUrl: string;
};

export function summarizeApproval(view: ActionView, team: string, consoleBaseUrl: string): ApprovalSummary {
  const failures = view.recalled.filter((m) => m.kind === "negative_knowledge").map((m) => ({ subject: m.subject, body: m.body }));
  return {
    actionId: view.id,
    action: view.action,
    agent: view.agent,
    team,
    tool: view.tool,
    resource: view.resource,
    risk: view.risk,
    confidence: view.confidence.toFixed(2),
    rationale: view.rationale,
    args: JSON.stringify(view.approvedArgs ?? view.args, null, 1),
    argsEdited: view.argsEdited || (view.approvedArgs !== null && JSON.stringify(view.approvedArgs) !== JSON.stringify(view.args)),
    reasons: splitReasons(view.reasons, view.decision).deciding.map((r) => r.message),
    failures,
    outcome: outcomeOf(view),
    expiresAt: view.expiresAt,
    consoleUrl: `${consoleBaseUrl.replace(/\/+$/, "")}/inbox?action=${view.id}`,
  };
}

function outcomeOf(view: ActionView): ApprovalSummary["outcome"] {
  if (view.status === "pending_approval") {
    const progress =
      view.requiredApprovals > 1
        ? `${view.approvals.length} of ${view.requiredApprovals} approvals${view.approvals.length ? ` (${view.approvals.map((a) => a.by).join(", ")})` : ""}`
        : null;
    return { pending: true, progress };
  }
  const by = view.decidedBy ? ` by ${view.decidedBy}` : "";
  if (view.status === "rejected") return { pending: false, tone: "rejected", text: `Rejected${by}: ${view.reason ?? ""}`.trim() };
  if (view.status === "expired") return { pending: false, tone: "other", text: "Expired: nobody decided in time; it did not run." };
  if (view.status === "denied") return { pending: false, tone: "other", text: `Refused${view.reason ? `: ${view.reason}` : ""}` };
  // approved, and whatever came after it (executing, succeeded, failed, rolled back).
  const approvers = view.approvals.length > 0 ? view.approvals.map((a) => a.by).join(", ") : (view.decidedBy ?? "");
  return {
    pending: false,
    tone: "approved",
    text: `Approved${approvers ? ` by ${approvers}` : ""}${view.argsEdited ? " with edited args" : ""} · now ${view.status.replaceAll("_", " ")}`,
  };
}
