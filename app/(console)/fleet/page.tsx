import type { Metadata } from "next";
import { FleetView } from "@/components/fleet/fleet-view";
import { PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Fleet" };

export default async function FleetPage() {
  await requirePageUser("viewer");
  return (
    <div className="max-w-[1400px]">
      <PageHeader title="Fleet" description="Every agent's live state, the hierarchy, and the work waiting in each queue." />
      <FleetView />
    </div>
  );
}
