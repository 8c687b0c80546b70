"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { ErrorText } from "@/components/ui/error-text";
import { formatDateTime } from "@/components/ui/format";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { EmailSettings } from "./email-settings";
import { SlackSettings } from "./slack-settings";

/** Settings → Notifications: where approval requests go besides the inbox (Slack, email). */
export function NotificationsAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const channels = useQuery(trpc.notifications.channels.queryOptions());
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.notifications.channels.queryKey() });
  if (!channels.data) return <ErrorText error={channels.error} />;
  return (
    <div className="space-y-6">
      {/* Keyed by the saved state, so a save re-reads the stored values into the forms. */}
      <SlackSettings key={`slack-${String(channels.data.slack?.updatedAt ?? "none")}`} state={channels.data.slack} onSaved={refresh} />
      <EmailSettings key={`email-${String(channels.data.email?.updatedAt ?? "none")}`} state={channels.data.email} onSaved={refresh} />
      <Card title="Recent messages">
        <Table>
          <thead>
            <tr>
              <Th>Channel</Th>
              <Th>Event</Th>
              <Th>Queued</Th>
              <Th>State</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100" data-testid="channel-deliveries">
            {channels.data.recentDeliveries.length === 0 ? <EmptyRow colSpan={4}>Nothing sent yet.</EmptyRow> : null}
            {channels.data.recentDeliveries.map((d) => (
              <tr key={d.id}>
                <Td>{d.channel}</Td>
                <Td className="font-mono text-xs">{d.event}</Td>
                <Td className="text-xs">{formatDateTime(d.createdAt)}</Td>
                <Td className="text-xs">
                  <Badge tone={d.status === "delivered" ? "green" : d.status === "failed" ? "red" : "amber"}>{d.status}</Badge>
                  {d.lastError && d.status !== "delivered" ? <span className="ml-2 text-slate-700">{d.lastError}</span> : null}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
    </div>
  );
}
