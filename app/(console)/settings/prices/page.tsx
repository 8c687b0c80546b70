import type { Metadata } from "next";
import { PricesAdmin } from "@/components/settings/prices-admin";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Model prices" };

export default async function PricesSettingsPage() {
  const user = await requirePageUser("viewer");
  return <PricesAdmin canEdit={user.role === "admin"} />;
}
