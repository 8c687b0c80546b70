import type { Metadata } from "next";
import { ActionsTable } from "@/components/actions/actions-table";
import { PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Actions" };

export default async function ActionsPage() {
  await requirePageUser("viewer");
  return (
    <div className="max-w-7xl">
      <PageHeader title="Actions" description="Every action agents proposed: the decision, its status and outcome." />
      <ActionsTable />
    </div>
  );
}
