import type { Metadata } from "next";
import { PolicyEditor } from "@/components/policies/policy-editor";
import { PolicyHistory } from "@/components/policies/policy-history";
import { GrantsList } from "@/components/policies/grants-list";
import { PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Policies" };

export default async function PoliciesPage() {
  const user = await requirePageUser("viewer");
  return (
    <div className="max-w-7xl">
      <PageHeader
        title="Policy"
        description="What the guardrail decides by. Every save is a new version; preview a draft's effect on past actions before saving it."
      />
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,3fr)_minmax(0,1fr)]">
        <PolicyEditor canEdit={user.role === "admin"} />
        <PolicyHistory />
      </div>
      <div className="mt-6">
        <GrantsList canRevoke={user.role !== "viewer"} />
      </div>
    </div>
  );
}
