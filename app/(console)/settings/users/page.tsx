import type { Metadata } from "next";
import { UsersAdmin } from "@/components/settings/users-admin";
import { requirePageUser } from "@/server/auth/session";
import { oidcSettings } from "@/server/env";

export const metadata: Metadata = { title: "Users" };

export default async function UsersSettingsPage() {
  const user = await requirePageUser("admin");
  const sso = oidcSettings();
  return (
    <div className="space-y-4">
      {sso ? (
        <p className="text-sm text-slate-600" data-testid="sso-role-note">
          {sso.roleClaim
            ? `People who sign in with ${sso.name} get their role from its "${sso.roleClaim}" claim at every sign-in; a role set here lasts until their next sign-in.`
            : `People who sign in with ${sso.name} for the first time have no role until you grant one here.`}
        </p>
      ) : null}
      <UsersAdmin currentUserId={user.id} />
    </div>
  );
}
