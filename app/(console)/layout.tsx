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
    // Below md (phones) the sidebar becomes a bar above the page, so the page keeps the width.
    <div className="flex min-h-screen flex-col md:flex-row">
      <Sidebar items={items} user={{ label: user.label, role: user.role }} signOut={signOutAction} />
      <main className="min-w-0 flex-1 px-4 py-6 md:px-8 md:py-8">{children}</main>
    </div>
  );
}
