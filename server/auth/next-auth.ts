import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { db } from "../db/client";
import { env } from "../env";
import { pathOnOrigin } from "../http/server-origin";
import { clientIp } from "../lib/client-ip";
import { signOutSession } from "./sign-out";
import { loginWithPassword } from "./login";
import { SESSION_MAX_AGE_SECONDS } from "./user-sessions";

declare module "next-auth" {
  interface User {
    /** The user_sessions row this sign-in started; the cookie carries it as `sid`. */
    sessionId?: string;
  }
  interface Session {
    sessionId?: string;
  }
}

/** Surfaces "too many attempts" to the login page instead of a plain "wrong password". */
class ThrottledSignin extends CredentialsSignin {
  constructor(retryAfterSeconds: number) {
    super();
    this.code = `throttled:${retryAfterSeconds}`;
  }
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  secret: env.AUTH_SECRET,
  // Warden is self-hosted behind whatever host name the operator gives it. The host and scheme
  // next-auth reads are the socket's, or a trusted proxy's (server/http/peer-address.ts).
  trustHost: true,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/login" },
  logger: {
    // A refused password is an expected outcome, already audited: not a server error.
    error(error) {
      if (error.name === "CredentialsSignin" || error instanceof CredentialsSignin) return;
      console.error("[auth]", error);
    },
  },
  providers: [
    Credentials({
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        const result = await loginWithPassword(db, credentials, clientIp(request.headers));
        if (result.ok) return { id: result.user.id, email: result.user.email, name: result.user.name, sessionId: result.sessionId };
        if (result.reason === "throttled") throw new ThrottledSignin(result.retryAfterSeconds);
        return null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.sessionId) token.sid = user.sessionId;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      if (typeof token.sid === "string") session.sessionId = token.sid;
      return session;
    },
    // Callback URLs (a form's callbackUrl, the callback-url cookie, redirectTo) stay on Warden.
    redirect({ url, baseUrl }) {
      return `${baseUrl}${pathOnOrigin(url, baseUrl)}`;
    },
  },
  events: {
    // The cookie is cleared by next-auth; ending the row is what makes a copy of it worthless.
    async signOut(message) {
      const sid = "token" in message ? message.token?.sid : undefined;
      if (typeof sid === "string") await signOutSession(db, sid);
    },
  },
});
