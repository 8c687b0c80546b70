import type { Metadata } from "next";
import { McpServersAdmin } from "@/components/settings/mcp-servers-admin";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "MCP servers" };

export default async function McpServersSettingsPage() {
  await requirePageUser("admin");
  return <McpServersAdmin />;
}
