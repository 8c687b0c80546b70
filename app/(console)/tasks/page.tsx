import type { Metadata } from "next";
import { TasksView } from "@/components/fleet/tasks-view";
import { PageHeader } from "@/components/ui/card";
import { roleAtLeast } from "@/server/auth/roles";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Tasks" };

export default async function TasksPage() {
  const user = await requirePageUser("viewer");
  return (
    <div className="max-w-7xl">
      <PageHeader title="Tasks" description="The queue, what agents hold, and the dead-letter list. Operators cancel, requeue and reprioritize." />
      <TasksView canOperate={roleAtLeast(user.role, "operator")} />
    </div>
  );
}
