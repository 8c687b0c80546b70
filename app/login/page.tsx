import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/login-form";
import { Button } from "@/components/ui/button";
import { getSessionUser, getWaitingPerson } from "@/server/auth/session";
import { oidcSettings, passwordLoginEnabled } from "@/server/env";
import { oidcLoginAction } from "./actions";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

/** What the login page says when a sign-in through the provider came back refused or failed. */
function providerError(code: string | undefined, provider: string): string | null {
  if (!code) return null;
  switch (code) {
    case "oidc_domain":
      return "Your email address's domain may not sign in to Warden.";
    case "oidc_deactivated":
      return "Your Warden account is deactivated.";
    case "oidc_no_email":
      return `${provider} did not give Warden a verified email address.`;
    case "oidc_other_identity":
      return `That email address belongs to another ${provider} identity in Warden; ask an admin.`;
    default:
      return `Signing in with ${provider} failed. Try again, or ask an admin.`;
  }
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  if (await getSessionUser()) redirect("/");
  if (await getWaitingPerson()) redirect("/waiting");
  const { next, error } = await searchParams;
  const sso = oidcSettings();
  const passwords = passwordLoginEnabled();
  const ssoError = sso ? providerError(error, sso.name) : null;
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-900 px-4">
      <div className="w-full max-w-sm rounded-xl bg-white p-8 shadow-xl">
        <div className="mb-6 flex items-center gap-3">
          <img src="/favicon.svg" alt="" className="h-9 w-9" />
          <div>
            <h1 className="text-lg font-semibold">Sign in to Warden</h1>
            <p className="text-xs text-slate-500">The control plane for your agent fleet</p>
          </div>
        </div>
        {ssoError ? (
          <p role="alert" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="sso-error">
            {ssoError}
          </p>
        ) : null}
        {sso ? (
          <form action={oidcLoginAction}>
            <input type="hidden" name="next" value={next ?? "/"} />
            <Button type="submit" className="w-full">
              Sign in with {sso.name}
            </Button>
          </form>
        ) : null}
        {sso && passwords ? <p className="my-4 text-center text-xs text-slate-600">or with your email and password</p> : null}
        {passwords ? <LoginForm next={next ?? "/"} /> : null}
        {!sso && !passwords ? <p className="text-sm text-slate-600">Password sign-in is turned off and no identity provider is configured.</p> : null}
      </div>
    </main>
  );
}
