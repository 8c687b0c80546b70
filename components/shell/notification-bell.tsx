"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useLiveEvents } from "@/components/live/use-live-events";
import { useTRPC } from "@/components/trpc";

/** The unread count in the sidebar, live. */
export function NotificationBell() {
  const trpc = useTRPC();
  const feed = useQuery(trpc.notifications.feed.queryOptions());
  useLiveEvents(["notification.created"], () => void feed.refetch());
  const unread = feed.data?.unread ?? 0;
  return (
    <Link
      href="/notifications"
      className="flex items-center justify-between rounded-md px-3 py-2 text-sm font-medium text-slate-300 hover:bg-slate-800 hover:text-white"
    >
      Notifications
      {unread > 0 ? (
        <span data-testid="unread-count" className="rounded-full bg-amber-500 px-2 py-0.5 text-xs font-semibold text-slate-900">
          {unread}
        </span>
      ) : null}
    </Link>
  );
}
