import type { ApprovalSummary } from "../approval-summary";

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/**
 * The email for an approval request: the same context as the inbox, and one link that opens it
 * in the console. Deliberately no approve/reject links: a link in a mailbox can be followed by a
 * scanner, a forward or a preview, so deciding needs a signed-in person in the console.
 */
export function approvalEmail(summary: ApprovalSummary): { subject: string; text: string; html: string } {
  const subject = `[Warden] Approval needed: ${summary.action.slice(0, 120)} (${summary.agent})`;
  const facts: [string, string][] = [
    ["Agent", `${summary.agent} (team ${summary.team})`],
    ["Tool", summary.tool ?? "none named"],
    ["Resource", summary.resource ?? "—"],
    ["Confidence", summary.confidence],
    ["Risk", summary.risk],
    ...(summary.expiresAt ? ([["Expires", new Date(summary.expiresAt).toUTCString()]] as [string, string][]) : []),
  ];
  const failures = summary.failures.length === 0 ? ["None recorded."] : summary.failures.map((f) => `${f.subject}: ${f.body}`);
  const text = [
    `An agent's action waits for a person.`,
    ``,
    summary.action,
    ``,
    ...facts.map(([k, v]) => `${k}: ${v}`),
    ``,
    `Why it waits:`,
    ...summary.reasons.map((r) => `- ${r}`),
    ...(summary.rationale ? [``, `Agent's rationale: ${summary.rationale}`] : []),
    ``,
    `Past failures that match:`,
    ...failures.map((f) => `- ${f}`),
    ``,
    `Decide in Warden (sign-in required): ${summary.consoleUrl}`,
  ].join("\n");
  const list = (items: string[]) => `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ul>`;
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a;max-width:640px">
<p>An agent's action waits for a person.</p>
<p style="font-family:ui-monospace,monospace;font-size:15px;background:#f1f5f9;padding:8px">${escapeHtml(summary.action)}</p>
<table cellpadding="4">${facts.map(([k, v]) => `<tr><td style="color:#475569">${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join("")}</table>
<h3>Why it waits</h3>${list(summary.reasons)}
${summary.rationale ? `<h3>Agent's rationale</h3><p>${escapeHtml(summary.rationale)}</p>` : ""}
<h3>Past failures that match</h3>${list(failures)}
<p><a href="${escapeHtml(summary.consoleUrl)}" style="display:inline-block;background:#2158c4;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">Open in Warden</a></p>
<p style="color:#475569;font-size:12px">Deciding needs you to sign in to Warden: this email cannot approve or reject by itself.</p>
</body></html>`;
  return { subject, text, html };
}
