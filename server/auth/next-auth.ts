import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { headers } from "next/headers";
import { db } from "../db/client";
import { env, oidcSettings, passwordLoginEnabled } from "../env";
import { pathOnOrigin } from "../http/server-origin";
import { clientIp } from "../lib/client-ip";
import { signOutSession } from "./sign-out";
import { loginWithPassword } from "./login";
import { loginWithOidc, type OidcProfile } from "./login-oidc";
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

/** The provider id in next-auth's URLs: /api/auth/signin/oidc, /api/auth/callback/oidc. */
export const OIDC_PROVIDER_ID = "oidc";

/** Refused before any check: email + password sign-in is turned off (WARDEN_PASSWORD_LOGIN=off). */
class PasswordLoginOff extends CredentialsSignin {
  code = "password_off";
}

const sso = oidcSettings();

/**
 * The company's OpenID Connect provider, when configured. next-auth discovers its endpoints from
 * the issuer, runs the authorization code flow with PKCE, state and nonce, and checks the ID
 * token; the `signIn` callback below then lets Warden decide (server/auth/login-oidc.ts).
 */
const oidcProvider: NextAuthConfig["providers"] = sso
  ? [
      {
        id: OIDC_PROVIDER_ID,
        name: sso.name,
        type: "oidc",
        issuer: sso.issuer,
        clientId: sso.clientId,
        clientSecret: sso.clientSecret,
        checks: ["pkce", "state", "nonce"],
        authorization: { params: { scope: sso.scopes } },
      },
    ]
  : [];

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
  // A refused or failed provider sign-in comes back to the login page with ?error=, said there.
  pages: { signIn: "/login", error: "/login" },
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
        if (!passwordLoginEnabled()) throw new PasswordLoginOff();
        const result = await loginWithPassword(db, credentials, clientIp(request.headers));
        if (result.ok) return { id: result.user.id, email: result.user.email, name: result.user.name, sessionId: result.sessionId };
        if (result.reason === "throttled") throw new ThrottledSignin(result.retryAfterSeconds);
        return null;
      },
    }),
    ...oidcProvider,
  ],
  callbacks: {
    // The provider vouched for someone; Warden decides whether they get in, and with which role.
    // A refusal goes back to the login page with its reason; a success names Warden's person
    // (not the provider's subject) and the session row in the cookie.
    async signIn({ user, account, profile }) {
      if (account?.provider !== OIDC_PROVIDER_ID) return true;
      if (!sso || !profile) return "/login?error=oidc";
      const result = await loginWithOidc(db, sso, profile as OidcProfile, clientIp(await headers()));
      if (!result.ok) return `/login?error=oidc_${result.reason}`;
      user.id = result.user.id;
      user.email = result.user.email;
      user.name = result.user.name;
      user.sessionId = result.sessionId;
      return true;
    },
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
