import { readFileSync } from "node:fs";
import { z } from "zod";
import { parseAnchorPrivateKey, parseAnchorPublicKey, type AnchorKeyPair } from "./audit/anchor-key";
import { parseDomains, parseRoleMap } from "./auth/oidc-rules";
import { parseAddressRanges } from "./lib/address-ranges";

/** A zod check that `parse` accepts the text (a key), with its error as the message. */
function parses(parse: (text: string) => unknown) {
  return (text: string, context: z.RefinementCtx) => {
    try {
      parse(text);
    } catch (error) {
      context.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
    }
  };
}

// The one place that reads process.env; everything else imports `env`.
const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(11480),
  HOST: z.string().default("0.0.0.0"),
  WARDEN_DATA_DIR: z.string().default(".warden"),
  /**
   * Tests only: a file holding an ISO time that policy rules read as `now` (policy/decision-clock.ts).
   * Only the end-to-end test server sets it; unset, rules see the real time. Honoured only with
   * WARDEN_TEST_MODE=1 beside it (the e2e server runs with NODE_ENV=production, so that cannot tell).
   */
  WARDEN_TEST_CLOCK_FILE: z.string().min(1).optional(),
  /** Set to 1 by the test harness only (playwright.config.ts): lets WARDEN_TEST_CLOCK_FILE work. Never in production. */
  WARDEN_TEST_MODE: z.enum(["0", "1"]).optional(),
  WARDEN_ADMIN_EMAIL: z.email().optional(),
  WARDEN_ADMIN_PASSWORD: z.string().min(8).optional(),
  WARDEN_PUBLIC_URL: z.url().optional(),
  WARDEN_DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  WARDEN_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  /**
   * Checks every API answer against its route's response schema (a 500 naming the route when
   * it differs). On in the test suites, so the OpenAPI document cannot drift from the server.
   */
  WARDEN_VALIDATE_ANSWERS: z
    .enum(["0", "1", "true", "false"])
    .default("0")
    .transform((value) => value === "1" || value === "true"),
  /**
   * A file every API answer is appended to as a JSON line (the end-to-end run sets it, then
   * checks each answer against the OpenAPI document: scripts/check-api-answers.ts).
   */
  WARDEN_RECORD_ANSWERS: z.string().min(1).optional(),
  WARDEN_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  WARDEN_LOGIN_LOCK_SECONDS: z.coerce.number().int().min(1).default(900),
  /**
   * The proxies whose X-Forwarded-For, -Host and -Proto Warden believes: addresses and CIDR
   * ranges, comma-separated. Unset, nobody's: the socket's peer is the client.
   */
  WARDEN_TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((text, context) => {
      const parsed = parseAddressRanges(text);
      if ("problems" in parsed) {
        for (const problem of parsed.problems) context.addIssue({ code: "custom", message: problem });
        return z.NEVER;
      }
      return parsed.ranges;
    }),
  /** A repeated dedupe key returns the unfinished task created within this window. */
  WARDEN_TASK_DEDUPE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(86_400),
  WARDEN_TASK_LEASE_SECONDS: z.coerce.number().int().min(5).default(60),
  WARDEN_TASK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(3),
  AUTH_SECRET: z.string().min(16).optional(),
  /**
   * The key material that seals the secrets admins store in Settings → Notifications (Slack's
   * bot token and signing secret, the SMTP password). Unset: derived from the session secret.
   */
  WARDEN_SECRETS_KEY: z.string().min(16).optional(),
  /**
   * The audit anchor's signing key (Ed25519; `npm run warden -- audit anchor-key` makes one), or
   * a file holding it. Kept outside the database: it is what makes an anchor worth trusting.
   */
  WARDEN_AUDIT_ANCHOR_KEY: z.string().min(1).superRefine(parses(parseAnchorPrivateKey)).optional(),
  WARDEN_AUDIT_ANCHOR_KEY_FILE: z.string().min(1).optional(),
  /** For a verifier that holds only the public half (an auditor's machine); comma-separated after a key rotation. */
  WARDEN_AUDIT_ANCHOR_PUBLIC_KEY: z
    .string()
    .min(1)
    .superRefine(parses((text) => text.split(",").map(parseAnchorPublicKey)))
    .optional(),
  /** Where the scheduled anchors go: a JSON-lines file appended to, and/or a URL they are POSTed to. */
  WARDEN_AUDIT_ANCHOR_FILE: z.string().min(1).optional(),
  WARDEN_AUDIT_ANCHOR_URL: z.url().optional(),
  WARDEN_AUDIT_ANCHOR_EVERY_SECONDS: z.coerce.number().int().min(5).default(300),
  /**
   * Single sign-on through the company's OpenID Connect provider; on when the issuer, client id
   * and secret are set (server/auth/oidc-config.ts reads the rest).
   */
  WARDEN_OIDC_ISSUER: z.url().optional(),
  WARDEN_OIDC_CLIENT_ID: z.string().min(1).optional(),
  WARDEN_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  WARDEN_OIDC_SCOPES: z.string().min(1).default("openid email profile"),
  /** The button says "Sign in with <this>". */
  WARDEN_OIDC_NAME: z.string().min(1).default("SSO"),
  /** Comma-separated email domains that may sign in through the provider; empty: any. */
  WARDEN_OIDC_ALLOWED_DOMAINS: z.string().default("").transform(parseDomains),
  /** A claim of the ID token or userinfo (e.g. `groups`) whose values map to roles. */
  WARDEN_OIDC_ROLE_CLAIM: z.string().min(1).optional(),
  /** `value:role` pairs, comma-separated, e.g. `warden-admins:admin,warden-ops:operator`. */
  WARDEN_OIDC_ROLE_MAP: z
    .string()
    .default("")
    .transform((text, context) => {
      const parsed = parseRoleMap(text);
      if ("problems" in parsed) {
        for (const problem of parsed.problems) context.addIssue({ code: "custom", message: problem });
        return z.NEVER;
      }
      return parsed.map;
    }),
  /** `off` turns email + password sign-in off (once an admin can sign in through the provider). */
  WARDEN_PASSWORD_LOGIN: z.enum(["on", "off"]).default("on"),
  /** Set by `npm start` for its server: the server stops itself when that process is gone. */
  WARDEN_LAUNCHER_PID: z.coerce.number().int().positive().optional(),
});

export type Env = z.infer<typeof EnvSchema> & {
  /** The audit anchor's key pair, from WARDEN_AUDIT_ANCHOR_KEY or the key file; null when neither is set. */
  auditAnchorKey: AnchorKeyPair | null;
};

/** The provider's settings when single sign-on is configured (issuer, client id and secret), else null. */
export function oidcSettings(e: Env = env) {
  if (!e.WARDEN_OIDC_ISSUER || !e.WARDEN_OIDC_CLIENT_ID || !e.WARDEN_OIDC_CLIENT_SECRET) return null;
  return {
    issuer: e.WARDEN_OIDC_ISSUER,
    clientId: e.WARDEN_OIDC_CLIENT_ID,
    clientSecret: e.WARDEN_OIDC_CLIENT_SECRET,
    name: e.WARDEN_OIDC_NAME,
    scopes: e.WARDEN_OIDC_SCOPES,
    allowedDomains: e.WARDEN_OIDC_ALLOWED_DOMAINS,
    roleClaim: e.WARDEN_OIDC_ROLE_CLAIM ?? null,
    roleMap: e.WARDEN_OIDC_ROLE_MAP,
  };
}

export type OidcSettings = NonNullable<ReturnType<typeof oidcSettings>>;

export const passwordLoginEnabled = () => env.WARDEN_PASSWORD_LOGIN === "on";

/** Validates an environment (the process's, or a test's); throws naming every problem. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${problems}`);
  }
  const sso = [parsed.data.WARDEN_OIDC_ISSUER, parsed.data.WARDEN_OIDC_CLIENT_ID, parsed.data.WARDEN_OIDC_CLIENT_SECRET];
  if (sso.some(Boolean) && !sso.every(Boolean)) {
    throw new Error("Invalid environment: single sign-on needs WARDEN_OIDC_ISSUER, WARDEN_OIDC_CLIENT_ID and WARDEN_OIDC_CLIENT_SECRET together");
  }
  return { ...parsed.data, auditAnchorKey: readAuditAnchorKey(parsed.data) };
}

/** The key file is read here, once, so that a missing or unreadable file stops start-up. */
function readAuditAnchorKey(values: z.infer<typeof EnvSchema>): AnchorKeyPair | null {
  const { WARDEN_AUDIT_ANCHOR_KEY: key, WARDEN_AUDIT_ANCHOR_KEY_FILE: file } = values;
  if (key && file) throw new Error("Invalid environment: set WARDEN_AUDIT_ANCHOR_KEY or WARDEN_AUDIT_ANCHOR_KEY_FILE, not both");
  if (key) return parseAnchorPrivateKey(key);
  if (!file) return null;
  try {
    return parseAnchorPrivateKey(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`Invalid environment: WARDEN_AUDIT_ANCHOR_KEY_FILE: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export const env = parseEnv(process.env);

export function requireDatabaseUrl(): string {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set (the launcher sets it for the embedded database)");
  return env.DATABASE_URL;
}
