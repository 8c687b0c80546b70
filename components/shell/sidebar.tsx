"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { NavItem } from "./nav-items";
import { NotificationBell } from "./notification-bell";

export function Sidebar({ items, user, signOut }: { items: NavItem[]; user: { label: string; role: string }; signOut: () => Promise<void> }) {
  const pathname = usePathname();
  return (
    <aside className="flex w-full shrink-0 flex-col bg-slate-900 text-slate-200 md:w-56">
      <Link href="/" className="flex items-center gap-2 px-5 py-3 text-lg font-semibold text-white md:py-5">
        <img src="/favicon.svg" alt="" className="h-7 w-7" />
        Warden
      </Link>
      <nav aria-label="Console" className="flex flex-1 gap-1 overflow-x-auto px-3 pb-2 md:block md:space-y-0.5 md:overflow-visible md:pb-0">
        {items.map((item) => {
          const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
          return (
            <Link
              key={item.href}
              href={item.href}
              aria-current={active ? "page" : undefined}
              className={`block rounded-md px-3 py-2 text-sm font-medium whitespace-nowrap ${active ? "bg-slate-700 text-white" : "text-slate-300 hover:bg-slate-800 hover:text-white"}`}
            >
              {item.label}
            </Link>
          );
        })}
      </nav>
      <div className="px-3 pb-3">
        <NotificationBell />
      </div>
      <div className="flex items-center justify-between gap-3 border-t border-slate-800 px-5 py-2 text-sm md:block md:py-4">
        <div className="min-w-0">
          <p className="truncate font-medium text-white" data-testid="current-user">
            {user.label}
          </p>
          <p className="text-xs text-slate-400">{user.role}</p>
        </div>
        <form action={signOut}>
          <button type="submit" className="text-xs text-slate-300 underline hover:text-white md:mt-3">
            Sign out
          </button>
        </form>
      </div>
    </aside>
  );
}
