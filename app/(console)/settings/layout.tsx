import type { ReactNode } from "react";
import { PageHeader } from "@/components/ui/card";
import { SettingsTabs } from "@/components/settings/settings-tabs";
import { requirePageUser } from "@/server/auth/session";

export default async function SettingsLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser("viewer");
  const tabs = [
    ...(user.role === "admin"
      ? [
          { href: "/settings/agents", label: "Agents" },
          { href: "/settings/tools", label: "Tools" },
          { href: "/settings/mcp-servers", label: "MCP servers" },
          { href: "/settings/users", label: "Users" },
          { href: "/settings/notifications", label: "Notifications" },
          { href: "/settings/webhooks", label: "Webhooks" },
          { href: "/settings/metrics", label: "Metrics" },
        ]
      : []),
    { href: "/settings/budgets", label: "Budgets" },
    { href: "/settings/prices", label: "Model prices" },
    { href: "/settings/tokens", label: "My API tokens" },
    { href: "/settings/account", label: "My account" },
  ];
  return (
    <div className="max-w-6xl">
      <PageHeader title="Settings" description="Who may use Warden, the agents it knows, the keys they hold, and what they may spend." />
      <SettingsTabs tabs={tabs} />
      <div className="mt-6">{children}</div>
    </div>
  );
}
