"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import type { NavItem } from "./nav-items";
import { NotificationBell } from "./notification-bell";

type Props = { items: NavItem[]; user: { label: string; role: string }; signOut: () => Promise<void> };

/**
 * The console's navigation. From 768 px (Tailwind's `md`) it is a fixed column; below, where a
 * 224 px column would take more than half of a phone's width, it folds into a top bar whose
 * "Menu" button opens the same links over the page.
 */
export function Sidebar({ items, user, signOut }: Props) {
  const pathname = usePathname();
  // The page the menu was opened on: a link followed from the open menu lands on a page with
  // the menu closed, without an effect to close it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const setOpen = (next: boolean | ((was: boolean) => boolean)) => setOpenOn((typeof next === "function" ? next(open) : next) ? pathname : null);
  const current = items.find((item) => isActive(pathname, item.href));

  return (
    <>
      <header className="sticky top-0 z-30 flex items-center justify-between gap-3 bg-slate-900 px-4 py-2 text-white md:hidden">
        <Link href="/" className="flex items-center gap-2 font-semibold">
          <img src="/favicon.svg" alt="" className="h-6 w-6" />
          Warden
          {current ? <span className="font-normal text-slate-300">· {current.label}</span> : null}
        </Link>
        <button
          type="button"
          aria-expanded={open}
          aria-controls="console-menu"
          onClick={() => setOpen((v) => !v)}
          className="rounded-md border border-slate-600 px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-white"
        >
          {open ? "Close" : "Menu"}
        </button>
      </header>
      {open ? <div className="fixed inset-0 z-30 bg-slate-900/40 md:hidden" aria-hidden="true" onClick={() => setOpen(false)} /> : null}
      <aside
        id="console-menu"
        className={`${open ? "fixed inset-y-0 left-0 z-40 flex w-64 overflow-y-auto shadow-xl" : "hidden"} shrink-0 flex-col bg-slate-900 text-slate-200 md:sticky md:top-0 md:flex md:h-screen md:w-56 md:shadow-none`}
      >
        <Link href="/" className="flex items-center gap-2 px-5 py-5 text-lg font-semibold text-white">
          <img src="/favicon.svg" alt="" className="h-7 w-7" />
          Warden
        </Link>
        <nav aria-label="Console" className="flex-1 space-y-0.5 px-3">
          {items.map((item) => {
            const active = isActive(pathname, item.href);
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
    </>
  );
}

function isActive(pathname: string, href: string): boolean {
  return pathname === href || pathname.startsWith(`${href}/`);
}
