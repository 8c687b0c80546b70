import type { BadgeTone } from "@/components/ui/badge";
import type { ActionStatus, Decision, ToolRisk } from "@/server/schemas/enums";

export const RISK_TONE: Record<ToolRisk, BadgeTone> = { low: "gray", medium: "blue", high: "amber", critical: "red" };

export const STATUS_TONE: Record<ActionStatus, BadgeTone> = {
  pending_approval: "amber",
  approved: "green",
  succeeded: "green",
  rejected: "red",
  denied: "red",
  failed: "red",
  expired: "gray",
  executing: "blue",
  rolled_back: "amber",
};

export const DECISION_TONE: Record<Decision, BadgeTone> = {
  auto_execute: "green",
  execute_with_notification: "blue",
  require_approval: "amber",
  deny: "red",
};

export function label(value: string): string {
  return value.replaceAll("_", " ");
}

/** "4m 05s left", or "expired". */
export function countdown(expiresAt: string | null, now: number): string {
  if (!expiresAt) return "no expiry";
  const ms = Date.parse(expiresAt) - now;
  if (ms <= 0) return "expired";
  const total = Math.floor(ms / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return minutes >= 60 ? `${Math.floor(minutes / 60)}h ${minutes % 60}m left` : `${minutes}m ${seconds}s left`;
}
