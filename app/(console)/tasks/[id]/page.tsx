import type { Metadata } from "next";
import Link from "next/link";
import { TaskDetail } from "@/components/fleet/task-detail";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Task" };

export default async function TaskPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageUser("viewer");
  const { id } = await params;
  return (
    <div className="max-w-7xl space-y-4">
      <Link href="/tasks" className="text-sm text-brand-700 hover:underline">
        ← All tasks
      </Link>
      <TaskDetail id={id} />
    </div>
  );
}
