import { redirect } from "next/navigation";
import { requirePageUser } from "@/server/auth/session";

export default async function SettingsIndex() {
  const user = await requirePageUser("viewer");
  redirect(user.role === "admin" ? "/settings/agents" : "/settings/tokens");
}
