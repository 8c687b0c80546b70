import { Agent, fetch, type Response } from "undici";

/**
 * A browser's cookie jar and headers without the browser, for attacks a test plays by hand: it
 * can speak from another loopback address (`from`, e.g. 127.0.0.7: Linux routes all of
 * 127/8 to this machine), forge X-Forwarded-* headers, and replay a copied cookie.
 */
export class CookieClient {
  readonly cookies = new Map<string, string>();
  private readonly dispatcher: Agent | undefined;

  constructor(
    readonly base: string,
    options: { from?: string } = {},
  ) {
    this.dispatcher = options.from ? new Agent({ localAddress: options.from }) : undefined;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** A copy holding the same cookies (what a stolen or backed-up cookie looks like), sent to `base` from `from`. */
  copy(base = this.base, from?: string): CookieClient {
    const other = new CookieClient(base, { from });
    for (const [name, value] of this.cookies) other.cookies.set(name, value);
    return other;
  }

  async request(path: string, init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {}): Promise<Response> {
    const response = await fetch(`${this.base}${path}`, {
      method: init.method ?? "GET",
      headers: { ...(this.cookies.size > 0 ? { cookie: this.cookieHeader() } : {}), ...init.headers },
      body: init.body,
      redirect: "manual",
      dispatcher: this.dispatcher,
      signal: init.signal,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  private async csrfToken(): Promise<string> {
    const { csrfToken } = (await (await this.request("/api/auth/csrf")).json()) as { csrfToken: string };
    return csrfToken;
  }

  /** next-auth's credentials sign-in, as the login form posts it; true when a session cookie came back. */
  async signIn(credentials: { email: string; password: string }, headers: Record<string, string> = {}): Promise<boolean> {
    const csrfToken = await this.csrfToken();
    await this.request("/api/auth/callback/credentials", {
      method: "POST",
      headers: { origin: this.base, "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ csrfToken, email: credentials.email, password: credentials.password, callbackUrl: "/" }).toString(),
    });
    return [...this.cookies.keys()].some((name) => name.endsWith("authjs.session-token"));
  }

  async signOut(): Promise<number> {
    const csrfToken = await this.csrfToken();
    const response = await this.request("/api/auth/signout", {
      method: "POST",
      headers: { origin: this.base, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken, callbackUrl: "/login" }).toString(),
    });
    return response.status;
  }

  /** The status of `users.me`: 200 while the session lives, 401 once it has ended. */
  async meStatus(): Promise<number> {
    return (await this.request("/api/trpc/users.me")).status;
  }

  async mutation(path: string, input: unknown): Promise<{ status: number; body: unknown }> {
    const response = await this.request(`/api/trpc/${path}`, {
      method: "POST",
      headers: { origin: this.base, "content-type": "application/json" },
      body: JSON.stringify({ json: input }),
    });
    return { status: response.status, body: await response.json() };
  }
}
