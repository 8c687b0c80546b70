import type { Metadata } from "next";
import Link from "next/link";
import { MemoryEntry } from "@/components/memory/memory-entry";
import { roleAtLeast } from "@/server/auth/roles";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Memory entry" };

export default async function MemoryEntryPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser("viewer");
  const { id } = await params;
  return (
    <div className="max-w-4xl space-y-4">
      <Link href="/memory" className="text-sm text-brand-700 hover:underline">
        ← Memory
      </Link>
      <MemoryEntry id={id} canRetire={roleAtLeast(user.role, "approver")} />
    </div>
  );
}
