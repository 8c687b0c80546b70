import type { Metadata } from "next";
import { MetricSettingsForm } from "@/components/settings/metric-settings-form";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Metric thresholds" };

export default async function MetricSettingsPage() {
  await requirePageUser("admin");
  return <MetricSettingsForm />;
}
