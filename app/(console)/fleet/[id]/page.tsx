import type { Metadata } from "next";
import Link from "next/link";
import { AgentPage } from "@/components/fleet/agent-page";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Agent" };

export default async function FleetAgentPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageUser("viewer");
  const { id } = await params;
  return (
    <div className="max-w-7xl space-y-4">
      <Link href="/fleet" className="text-sm text-brand-700 hover:underline">
        ← The fleet
      </Link>
      <AgentPage id={id} />
    </div>
  );
}
