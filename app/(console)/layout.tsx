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
    <div className="flex min-h-screen flex-col md:flex-row">
      {/* The first thing a keyboard reaches: past the navigation, straight to the page. */}
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium text-brand-700 shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      <Sidebar items={items} user={{ label: user.label, role: user.role }} signOut={signOutAction} />
      <main id="main" tabIndex={-1} className="min-w-0 flex-1 px-4 py-5 focus:outline-none md:px-8 md:py-8">
        {children}
      </main>
    </div>
  );
}
