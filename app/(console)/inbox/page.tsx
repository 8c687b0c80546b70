import type { Metadata } from "next";
import { Inbox } from "@/components/inbox/inbox";
import { PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Inbox" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `/inbox?action=<id>` (the link in Slack and email messages) opens that request. */
export default async function InboxPage({ searchParams }: { searchParams: Promise<{ action?: string | string[] }> }) {
  await requirePageUser("approver");
  const { action } = await searchParams;
  const focusId = typeof action === "string" && UUID.test(action) ? action : undefined;
  return (
    <div className="max-w-[1400px]">
      <PageHeader title="Approval inbox" description="Actions the guardrail sent to a human. New ones appear live; decide from the keyboard." />
      <Inbox focusId={focusId} />
    </div>
  );
}
