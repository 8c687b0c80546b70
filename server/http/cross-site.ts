const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Routes that authenticate by `Authorization: Bearer` alone and never read the session cookie. */
const BEARER_ONLY = [/^\/api\/v1\//, /^\/api\/mcp(\/|$)/, /^\/(pause|suspend|resume|kill)$/];

/** next-auth's session cookie (`__Secure-` over HTTPS, `.N` when chunked): what authenticates a person. */
const SESSION_COOKIE = /(^|;\s*)(__Secure-)?authjs\.session-token(\.\d+)?=/;

function isJson(contentType: string | null): boolean {
  return /^application\/json\s*(;|$)/i.test(contentType ?? "");
}

/**
 * Why a state-changing request must be refused as cross-site, or null when it may proceed.
 * A browser attaches Warden's cookie to requests that pages elsewhere make (a page on another
 * port of the same host is "same-site", so even SameSite=Lax cookies go along); the Origin
 * header (or, without it, Sec-Fetch-Site) says whose page made it. So every unsafe request that
 * carries the session cookie to a route that reads it must come from this origin. A request
 * without one authenticates nobody: signing in (next-auth's own CSRF token guards that form,
 * and a script posting it sends no Origin) is not refused for its CSRF-token cookie. tRPC takes JSON only:
 * a form or text/plain body is what a cross-site page can send without asking first.
 * Bearer-only routes are left alone: nothing ambient authenticates there.
 */
export function crossSiteRefusal(request: { method: string; pathname: string; headers: Headers }, origin: string): string | null {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return null;
  if (BEARER_ONLY.some((route) => route.test(request.pathname))) return null;
  const { headers } = request;
  if (request.pathname.startsWith("/api/trpc/") && !isJson(headers.get("content-type"))) {
    return "The console API takes application/json bodies only";
  }
  if (!SESSION_COOKIE.test(headers.get("cookie") ?? "")) return null;
  const sentOrigin = headers.get("origin");
  if (sentOrigin !== null) {
    return sentOrigin === origin ? null : `Cross-site request refused: it came from ${sentOrigin}, not ${origin}`;
  }
  const site = headers.get("sec-fetch-site");
  if (site === "same-origin") return null;
  return `Cross-site request refused: ${site ? `Sec-Fetch-Site is ${site}` : "it says neither its Origin nor its Sec-Fetch-Site"}`;
}
