import type { Metadata } from "next";
import { WebhooksAdmin } from "@/components/settings/webhooks-admin";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksSettingsPage() {
  await requirePageUser("admin");
  return <WebhooksAdmin />;
}
