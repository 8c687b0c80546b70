import type { Metadata } from "next";
import { AgentsAdmin } from "@/components/settings/agents-admin";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsSettingsPage() {
  await requirePageUser("admin");
  return <AgentsAdmin />;
}
