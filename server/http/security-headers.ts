/**
 * The Content-Security-Policy of every page: scripts only from this origin and with this
 * response's nonce (Next.js puts it on its own scripts; 'strict-dynamic' lets those load the
 * chunks they need), styles likewise (style attributes, which React and the charts write, are
 * allowed), nothing framed anywhere, forms only to this origin.
 */
export function contentSecurityPolicy(nonce: string, options: { development: boolean; https: boolean }): string {
  return [
    "default-src 'self'",
    // React rebuilds server error stacks with eval in development only.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** The headers every response of the console carries; HSTS only where it was served over HTTPS. */
export function securityHeaders(csp: string, https: boolean): [name: string, value: string][] {
  return [
    ["content-security-policy", csp],
    ["x-frame-options", "DENY"],
    ["x-content-type-options", "nosniff"],
    ["referrer-policy", "same-origin"],
    ...(https ? ([["strict-transport-security", "max-age=31536000"]] as [string, string][]) : []),
  ];
}
