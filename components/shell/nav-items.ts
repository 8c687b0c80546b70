import type { Role } from "@/server/db/generated/enums";

export type NavItem = { href: string; label: string; minimum: Role };

/**
 * The console's areas, each shown to the roles that can use it (pages check again on the
 * server). An area appears here only once it works: Inbox, Fleet, Memory, Metrics, Control
 * and Policies join as they are built.
 */
export const NAV_ITEMS: NavItem[] = [
  { href: "/inbox", label: "Inbox", minimum: "approver" },
  { href: "/fleet", label: "Fleet", minimum: "viewer" },
  { href: "/tasks", label: "Tasks", minimum: "viewer" },
  { href: "/actions", label: "Actions", minimum: "viewer" },
  { href: "/memory", label: "Memory", minimum: "viewer" },
  { href: "/metrics", label: "Metrics", minimum: "viewer" },
  { href: "/control", label: "Control", minimum: "operator" },
  { href: "/policies", label: "Policies", minimum: "viewer" },
  { href: "/audit", label: "Audit", minimum: "operator" },
  { href: "/settings", label: "Settings", minimum: "viewer" },
];
