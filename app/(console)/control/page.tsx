import type { Metadata } from "next";
import { ControlConsole } from "@/components/control/control-console";
import { PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Control" };

export default async function ControlPage() {
  await requirePageUser("operator");
  return (
    <div className="max-w-[1400px]">
      <PageHeader title="Kill switch" description="Pause, suspend or kill the fleet, a team or one agent, and watch every agent acknowledge." />
      <ControlConsole />
    </div>
  );
}
