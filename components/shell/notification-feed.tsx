"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect } from "react";
import { useLiveEvents } from "@/components/live/use-live-events";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/card";
import { formatDateTime } from "@/components/ui/format";

export function NotificationFeed() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const feed = useQuery(trpc.notifications.feed.queryOptions());
  const markSeen = useMutation(trpc.notifications.markSeen.mutationOptions());
  useLiveEvents(["notification.created"], () => void feed.refetch());
  // Opening the feed reads it: the count in the sidebar clears (the items keep their highlight).
  const unread = feed.data?.unread ?? 0;
  useEffect(() => {
    if (unread > 0 && !markSeen.isPending) {
      markSeen.mutate(undefined, { onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.notifications.feed.queryKey() }) });
    }
  }, [unread]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <Card title="Notifications">
      {feed.data?.items.length === 0 ? <p className="text-sm text-slate-500">Nothing yet. Actions that run with a notification appear here.</p> : null}
      <ul className="divide-y divide-slate-100">
        {feed.data?.items.map((n) => (
          <li key={n.id} className={`py-3 ${n.unread ? "border-l-2 border-amber-400 pl-3" : "pl-3.5"}`} data-testid="notification">
            <p className="text-sm font-medium text-slate-900">
              {n.actionId ? (
                <Link href={`/actions/${n.actionId}`} className="hover:underline">
                  {n.title}
                </Link>
              ) : (
                n.title
              )}
            </p>
            <p className="text-sm text-slate-600">{n.body}</p>
            <p className="text-xs text-slate-600">{formatDateTime(n.createdAt)}</p>
          </li>
        ))}
      </ul>
    </Card>
  );
}
