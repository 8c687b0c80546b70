import type { Metadata } from "next";
import { NotificationsAdmin } from "@/components/settings/notifications-admin";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsSettingsPage() {
  await requirePageUser("admin");
  return <NotificationsAdmin />;
}
