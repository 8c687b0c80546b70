import type { Metadata } from "next";
import { Inbox } from "@/components/inbox/inbox";
import { PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Inbox" };

export default async function InboxPage() {
  await requirePageUser("approver");
  return (
    <div className="max-w-[1400px]">
      <PageHeader title="Approval inbox" description="Actions the guardrail sent to a human. New ones appear live; decide from the keyboard." />
      <Inbox />
    </div>
  );
}
