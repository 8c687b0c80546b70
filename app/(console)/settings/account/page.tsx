import type { Metadata } from "next";
import { PasswordForm } from "@/components/settings/password-form";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "My account" };

export default async function AccountSettingsPage() {
  const user = await requirePageUser("viewer");
  return <PasswordForm email={user.label} />;
}
