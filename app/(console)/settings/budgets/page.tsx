import type { Metadata } from "next";
import { BudgetsAdmin } from "@/components/settings/budgets-admin";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Budgets" };

export default async function BudgetsSettingsPage() {
  const user = await requirePageUser("viewer");
  return <BudgetsAdmin canEdit={user.role === "admin"} />;
}
