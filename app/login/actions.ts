"use server";

import { AuthError } from "next-auth";
import { signIn } from "@/server/auth/next-auth";

export type LoginState = { error: string | null };

export async function loginAction(_previous: LoginState, form: FormData): Promise<LoginState> {
  try {
    await signIn("credentials", {
      email: form.get("email"),
      password: form.get("password"),
      redirectTo: safeNext(form.get("next")),
    });
    return { error: null };
  } catch (error) {
    if (error instanceof AuthError) {
      const code = "code" in error ? String(error.code) : "";
      if (code.startsWith("throttled:")) {
        const seconds = Number(code.split(":")[1]);
        return { error: `Too many failed attempts. Try again in ${Math.ceil(seconds / 60)} minute(s).` };
      }
      return { error: "Wrong email or password." };
    }
    throw error; // the redirect after a successful sign-in travels as an error too
  }
}

/** Only same-site paths: a crafted ?next= cannot send someone elsewhere after login. */
function safeNext(value: FormDataEntryValue | null): string {
  const next = typeof value === "string" ? value : "/";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/";
}
