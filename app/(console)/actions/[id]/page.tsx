import type { Metadata } from "next";
import Link from "next/link";
import { ActionDetail } from "@/components/actions/action-detail";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Action" };

export default async function ActionPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageUser("viewer");
  const { id } = await params;
  return (
    <div className="max-w-7xl space-y-4">
      <Link href="/actions" className="text-sm text-brand-700 hover:underline">
        ← All actions
      </Link>
      <ActionDetail id={id} />
    </div>
  );
}
