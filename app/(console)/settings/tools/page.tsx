import type { Metadata } from "next";
import { ToolsAdmin } from "@/components/settings/tools-admin";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Tools" };

export default async function ToolsSettingsPage() {
  await requirePageUser("admin");
  return <ToolsAdmin />;
}
