import type { ReactNode } from "react";
import { NAV_ITEMS } from "@/components/shell/nav-items";
import { Sidebar } from "@/components/shell/sidebar";
import { roleAtLeast } from "@/server/auth/roles";
import { requirePageUser } from "@/server/auth/session";
import { signOut } from "@/server/auth/next-auth";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser("viewer");
  const items = NAV_ITEMS.filter((item) => roleAtLeast(user.role, item.minimum));
  async function signOutAction() {
    "use server";
    await signOut({ redirectTo: "/login" });
  }
  return (
    <div className="flex min-h-screen">
      <Sidebar items={items} user={{ label: user.label, role: user.role }} signOut={signOutAction} />
      <main className="min-w-0 flex-1 px-8 py-8">{children}</main>
    </div>
  );
}
