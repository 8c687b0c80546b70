import type { Metadata } from "next";
import { UsersAdmin } from "@/components/settings/users-admin";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Users" };

export default async function UsersSettingsPage() {
  const user = await requirePageUser("admin");
  return <UsersAdmin currentUserId={user.id} />;
}
