import { randomBytes } from "node:crypto";
import { NextResponse, type NextRequest } from "next/server";
import { env } from "./server/env";
import { crossSiteRefusal } from "./server/http/cross-site";
import { PEER_HEADER } from "./server/http/peer-address";
import { contentSecurityPolicy, securityHeaders } from "./server/http/security-headers";
import { servedOverHttps, serverOrigin } from "./server/http/server-origin";

/**
 * In front of every page and console route (Next.js 16's proxy, on Node.js): refuses
 * cross-site state changes, and gives each response its security headers and each page a fresh
 * CSP nonce, which Next.js reads from the request's CSP header and puts on its scripts.
 */
export function proxy(request: NextRequest) {
  const https = servedOverHttps(request.headers);
  if (!request.headers.has(PEER_HEADER)) {
    // Did not come through Warden's server (server/http/server.ts marks every request before
    // Next sees it): its forwarding headers were not vetted, so nothing may read them.
    return withHeaders(
      Response.json({ error: { code: "unavailable", message: "Warden is starting; try again" } }, { status: 503, headers: { "retry-after": "1" } }),
      https,
    );
  }
  const refusal = crossSiteRefusal({ method: request.method, pathname: request.nextUrl.pathname, headers: request.headers }, serverOrigin(request.headers));
  if (refusal) return withHeaders(Response.json({ error: { code: "forbidden", message: refusal } }, { status: 403 }), https);

  const nonce = randomBytes(16).toString("base64");
  const csp = contentSecurityPolicy(nonce, { development: env.NODE_ENV === "development", https });
  const forwarded = new Headers(request.headers);
  forwarded.set("content-security-policy", csp);
  return withHeaders(NextResponse.next({ request: { headers: forwarded } }), https, csp);
}

/** The refusals are JSON: nothing in them may load or be framed. */
const REFUSAL_CSP = "default-src 'none'; frame-ancestors 'none'";

function withHeaders<R extends Response>(response: R, https: boolean, csp = REFUSAL_CSP): R {
  for (const [name, value] of securityHeaders(csp, https)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Not the static files, the health check, or the agents' Bearer API (nothing there reads a
  // cookie, and it is the hot path). Nor Slack's interaction endpoint: Slack's servers post it
  // form-encoded without an Origin, it reads no cookie, and Slack's request signature (checked
  // in the route, with a five-minute replay window) is its authentication, so the cross-site
  // rule, which guards cookie-authenticated routes, has nothing to protect there.
  matcher: ["/((?!_next/static|_next/image|favicon\\.svg|api/health|api/v1/|api/slack/interactions$).*)"],
};
