import type { Metadata } from "next";
import { TokensPanel } from "@/components/settings/tokens-panel";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "API tokens" };

export default async function TokensSettingsPage() {
  const user = await requirePageUser("viewer");
  return <TokensPanel role={user.role} />;
}
