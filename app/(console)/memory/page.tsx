import type { Metadata } from "next";
import { MemoryBrowser } from "@/components/memory/memory-browser";
import { PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Memory" };

export default async function MemoryPage() {
  await requirePageUser("viewer");
  return (
    <div className="max-w-5xl">
      <PageHeader
        title="Memory"
        description="What the fleet learned: negative knowledge from failures, decisions from rejections, patterns. Agents are handed it before similar actions."
      />
      <MemoryBrowser />
    </div>
  );
}
