import type { Metadata } from "next";
import { NotificationFeed } from "@/components/shell/notification-feed";
import { PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  await requirePageUser("viewer");
  return (
    <div className="max-w-4xl">
      <PageHeader title="Notifications" description="Actions that ran with a notification, newest first." />
      <NotificationFeed />
    </div>
  );
}
