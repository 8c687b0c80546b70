import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { MetricsDashboard } from "@/components/metrics/metrics-dashboard";
import { PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/server/auth/session";
import { db } from "@/server/db/client";

export const metadata: Metadata = { title: "Agent metrics" };

export default async function AgentMetricsPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser("viewer");
  const { id } = await params;
  const agent = /^[0-9a-f-]{36}$/i.test(id) ? await db.agent.findUnique({ where: { id }, select: { id: true, name: true, team: true } }) : null;
  if (!agent) notFound();
  return (
    <div className="max-w-7xl space-y-4">
      <Link href="/metrics" className="text-sm text-brand-700 hover:underline">
        ← Metrics
      </Link>
      <PageHeader
        title={`${agent.name}`}
        description={
          <>
            Team {agent.team} ·{" "}
            <Link href={`/fleet/${agent.id}`} className="text-brand-700 hover:underline">
              the agent&apos;s page
            </Link>
          </>
        }
      />
      <MetricsDashboard agentId={agent.id} canReplay={user.role === "admin"} />
    </div>
  );
}
