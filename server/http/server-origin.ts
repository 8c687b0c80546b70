import type { HeaderReader } from "./api-route";
/** The first of a header's comma-separated values (a chain of proxies lists one per hop). */
function first(value: string | null): string | null {
  const head = value?.split(",")[0]?.trim();
  return head ? head : null;
}

/**
 * This server's origin as the browser sees it: scheme and host from X-Forwarded-Proto/-Host,
 * which by now hold either a trusted proxy's word or what Next.js read from the socket and the
 * Host header (peer-address.ts removes a client's own), else the Host header.
 */
export function serverOrigin(headers: HeaderReader): string {
  const proto = first(headers.get("x-forwarded-proto")) === "https" ? "https" : "http";
  const host = first(headers.get("x-forwarded-host")) ?? first(headers.get("host")) ?? "localhost";
  try {
    return new URL(`${proto}://${host}`).origin;
  } catch {
    return `${proto}://localhost`;
  }
}

export function servedOverHttps(headers: HeaderReader): boolean {
  return first(headers.get("x-forwarded-proto")) === "https";
}

/**
 * `target` (a `next` or callback URL) as a path on `origin`, or "/" when it points anywhere
 * else. It is resolved the way a browser would (so `/\evil.example`, `/\t/evil.example` and
 * `//evil.example` are other hosts) and handed back with exactly one leading slash, so no
 * later reader can take it for a scheme-relative URL.
 */
export function pathOnOrigin(target: unknown, origin: string): string {
  if (typeof target !== "string" || target === "") return "/";
  let home: URL;
  let url: URL;
  try {
    home = new URL(origin);
    url = new URL(target, home);
  } catch {
    return "/";
  }
  if (url.origin !== home.origin) return "/";
  return `/${url.pathname.replace(/^\/+/, "")}${url.search}${url.hash}`;
}
