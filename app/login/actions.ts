"use server";

import { AuthError } from "next-auth";
import { headers } from "next/headers";
import { passwordLoginEnabled } from "@/server/env";
import { OIDC_PROVIDER_ID, signIn } from "@/server/auth/next-auth";
import { pathOnOrigin, serverOrigin } from "@/server/http/server-origin";

export type LoginState = { error: string | null };

export async function loginAction(_previous: LoginState, form: FormData): Promise<LoginState> {
  // A crafted ?next= cannot send someone elsewhere after login: it becomes a path on this server.
  const redirectTo = pathOnOrigin(form.get("next"), serverOrigin(await headers()));
  if (!passwordLoginEnabled()) return { error: "Password sign-in is turned off; use your identity provider." };
  try {
    await signIn("credentials", { email: form.get("email"), password: form.get("password"), redirectTo });
    return { error: null };
  } catch (error) {
    if (error instanceof AuthError) {
      const code = "code" in error ? String(error.code) : "";
      if (code.startsWith("throttled:")) return { error: `Too many failed attempts. Try again in ${waitText(Number(code.split(":")[1]))}.` };
      return { error: "Wrong email or password." };
    }
    throw error; // the redirect after a successful sign-in travels as an error too
  }
}

/** Off to the company's identity provider; it sends the browser back to /api/auth/callback/oidc. */
export async function oidcLoginAction(form: FormData): Promise<void> {
  const redirectTo = pathOnOrigin(form.get("next"), serverOrigin(await headers()));
  await signIn(OIDC_PROVIDER_ID, { redirectTo });
}

function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
