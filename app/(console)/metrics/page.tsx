import type { Metadata } from "next";
import { MetricsDashboard } from "@/components/metrics/metrics-dashboard";
import { PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Metrics" };

export default async function MetricsPage() {
  const user = await requirePageUser("viewer");
  return (
    <div className="max-w-7xl">
      <PageHeader
        title="Metrics"
        description="Are the agents any good, and are the guardrails set right? Intervention rate, decisions, approvals, failures, calibration, drift and cost."
      />
      <MetricsDashboard canReplay={user.role === "admin"} />
    </div>
  );
}
