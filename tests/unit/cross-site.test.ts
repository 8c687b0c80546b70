import { describe, expect, it } from "vitest";
import { crossSiteRefusal } from "../../server/http/cross-site";
import { contentSecurityPolicy, securityHeaders } from "../../server/http/security-headers";
import { serverOrigin } from "../../server/http/server-origin";

const ORIGIN = "http://127.0.0.1:11480";
const json = { "content-type": "application/json", cookie: "authjs.session-token=x" };

function refusal(method: string, pathname: string, headers: Record<string, string>) {
  return crossSiteRefusal({ method, pathname, headers: new Headers(headers) }, ORIGIN);
}

describe("crossSiteRefusal", () => {
  it.each([
    ["a console mutation from the console", "POST", "/api/trpc/audit.verify", { ...json, origin: ORIGIN }],
    ["a mutation with only Sec-Fetch-Site: same-origin", "POST", "/api/trpc/notifications.markSeen", { ...json, "sec-fetch-site": "same-origin" }],
    ["a read from anywhere", "GET", "/api/trpc/users.me", { cookie: "x=1", origin: "http://127.0.0.1:9999" }],
    ["a server action from the console", "POST", "/inbox", { cookie: "x=1", origin: ORIGIN, "next-action": "abc" }],
    ["an agent's Bearer call with no cookie", "POST", "/api/v1/actions", { authorization: "Bearer k" }],
    ["a script's Bearer call to the kill switch, even with a stray cookie", "POST", "/kill", { authorization: "Bearer t", cookie: "x=1" }],
    ["a cookie-less sign-in page post", "POST", "/api/auth/callback/credentials", { "content-type": "application/x-www-form-urlencoded" }],
    // What `npm start`'s newcomer does from a script: next-auth's CSRF cookie, no Origin, no session.
    [
      "a scripted sign-in with only next-auth's CSRF and callback cookies",
      "POST",
      "/api/auth/callback/credentials",
      { "content-type": "application/x-www-form-urlencoded", cookie: "authjs.csrf-token=abc%7Cdef; authjs.callback-url=http%3A%2F%2Flocalhost%3A11480" },
    ],
  ])("lets through %s", (_name, method, pathname, headers) => {
    expect(refusal(method, pathname, headers)).toBeNull();
  });

  it.each([
    ["a console mutation from another port of the same host", "POST", "/api/trpc/audit.verify", { ...json, origin: "http://127.0.0.1:11481" }],
    [
      "a form post to tRPC",
      "POST",
      "/api/trpc/notifications.markSeen",
      { cookie: "authjs.session-token=x", "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
    ],
    ["a text/plain post to tRPC", "POST", "/api/trpc/notifications.markSeen", { cookie: "authjs.session-token=x", "content-type": "text/plain" }],
    ["a same-site (not same-origin) fetch without Origin", "POST", "/api/trpc/audit.verify", { ...json, "sec-fetch-site": "same-site" }],
    ["a request that says nothing of where it came from", "POST", "/api/trpc/audit.verify", json],
    ["a sandboxed page (Origin: null)", "POST", "/api/trpc/audit.verify", { ...json, origin: "null" }],
    ["a server action from elsewhere", "POST", "/control", { cookie: "authjs.session-token=x", origin: "http://evil.example", "next-action": "abc" }],
    ["a sign-out posted from elsewhere", "POST", "/api/auth/signout", { cookie: "__Secure-authjs.session-token=x", origin: "http://127.0.0.1:11481" }],
    [
      "a chunked session cookie with no Origin",
      "POST",
      "/api/trpc/audit.verify",
      { "content-type": "application/json", cookie: "a=1; authjs.session-token.0=x" },
    ],
    ["a lookalike scheme", "POST", "/api/trpc/audit.verify", { ...json, origin: "https://127.0.0.1:11480" }],
  ])("refuses %s", (_name, method, pathname, headers) => {
    expect(refusal(method, pathname, headers)).toEqual(expect.any(String));
  });
});

describe("serverOrigin", () => {
  it("reads the (vetted) forwarded scheme and host, else Host", () => {
    expect(serverOrigin(new Headers({ host: "127.0.0.1:11480" }))).toBe("http://127.0.0.1:11480");
    expect(serverOrigin(new Headers({ host: "10.0.0.5:11480", "x-forwarded-host": "warden.example.com", "x-forwarded-proto": "https" }))).toBe(
      "https://warden.example.com",
    );
    expect(serverOrigin(new Headers({ "x-forwarded-host": "a.example, b.internal", "x-forwarded-proto": "https,http" }))).toBe("https://a.example");
  });
});

describe("security headers", () => {
  it("a nonce, no inline script, no framing; HSTS only over HTTPS", () => {
    const csp = contentSecurityPolicy("abc123", { development: false, https: false });
    const scripts = csp.split("; ").find((d) => d.startsWith("script-src"))!;
    expect(scripts).toContain("'nonce-abc123'");
    expect(scripts).not.toContain("unsafe-inline");
    expect(scripts).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    const plain = Object.fromEntries(securityHeaders(csp, false));
    expect(plain).toMatchObject({ "x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "same-origin" });
    expect(plain["strict-transport-security"]).toBeUndefined();
    expect(Object.fromEntries(securityHeaders(csp, true))["strict-transport-security"]).toMatch(/^max-age=\d+/);
    expect(contentSecurityPolicy("n", { development: false, https: true })).toContain("upgrade-insecure-requests");
  });
});
