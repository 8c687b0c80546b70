"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { NavItem } from "./nav-items";
import { NotificationBell } from "./notification-bell";

export function Sidebar({ items, user, signOut }: { items: NavItem[]; user: { label: string; role: string }; signOut: () => Promise<void> }) {
  const pathname = usePathname();
  return (
    <aside className="flex w-56 shrink-0 flex-col bg-slate-900 text-slate-200">
      <Link href="/" className="flex items-center gap-2 px-5 py-5 text-lg font-semibold text-white">
        <img src="/favicon.svg" alt="" className="h-7 w-7" />
        Warden
      </Link>
      <nav aria-label="Console" className="flex-1 space-y-0.5 px-3">
        {items.map((item) => {
          const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
          return (
            <Link
              key={item.href}
              href={item.href}
              aria-current={active ? "page" : undefined}
              className={`block rounded-md px-3 py-2 text-sm font-medium ${active ? "bg-slate-700 text-white" : "text-slate-300 hover:bg-slate-800 hover:text-white"}`}
            >
              {item.label}
            </Link>
          );
        })}
      </nav>
      <div className="px-3 pb-3">
        <NotificationBell />
      </div>
      <div className="border-t border-slate-800 px-5 py-4 text-sm">
        <p className="truncate font-medium text-white" data-testid="current-user">
          {user.label}
        </p>
        <p className="text-xs text-slate-400">{user.role}</p>
        <form action={signOut}>
          <button type="submit" className="mt-3 text-xs text-slate-300 underline hover:text-white">
            Sign out
          </button>
        </form>
      </div>
    </aside>
  );
}
