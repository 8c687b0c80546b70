import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { signOut } from "@/server/auth/next-auth";
import { getSessionUser, getWaitingPerson } from "@/server/auth/session";

export const metadata: Metadata = { title: "Waiting for a role" };
export const dynamic = "force-dynamic";

/** Where a person signed in through the identity provider waits until an admin grants a role. */
export default async function WaitingPage() {
  if (await getSessionUser()) redirect("/");
  const person = await getWaitingPerson();
  if (!person) redirect("/login");
  async function signOutAction() {
    "use server";
    await signOut({ redirectTo: "/login" });
  }
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-900 px-4">
      <div className="w-full max-w-md rounded-xl bg-white p-8 shadow-xl">
        <h1 className="text-lg font-semibold">Waiting for an admin to grant you a role</h1>
        <p className="mt-3 text-sm text-slate-600">
          You are signed in as{" "}
          <span className="font-medium text-slate-900" data-testid="waiting-email">
            {person.email}
          </span>
          , but Warden has not given you a role yet. An admin sees you in Settings → Users and can grant one there; then reload this page.
        </p>
        <form action={signOutAction} className="mt-6">
          <button type="submit" className="text-sm text-slate-600 underline hover:text-slate-900">
            Sign out
          </button>
        </form>
      </div>
    </main>
  );
}
