import type { Metadata } from "next";
import { AuditExplorer } from "@/components/audit/audit-explorer";
import { PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage() {
  await requirePageUser("operator");
  return (
    <div className="max-w-7xl">
      <PageHeader
        title="Audit log"
        description="Everything people and agents did, append-only and hash-chained. The database refuses edits; verification names the first broken row."
      />
      <AuditExplorer />
    </div>
  );
}
