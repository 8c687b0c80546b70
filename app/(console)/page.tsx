import { redirect } from "next/navigation";
import { NAV_ITEMS } from "@/components/shell/nav-items";
import { roleAtLeast } from "@/server/auth/roles";
import { requirePageUser } from "@/server/auth/session";

/** The console's front door: the first area this person's role can use. */
export default async function Home() {
  const user = await requirePageUser("viewer");
  const first = NAV_ITEMS.find((item) => roleAtLeast(user.role, item.minimum));
  redirect(first?.href ?? "/settings");
}
