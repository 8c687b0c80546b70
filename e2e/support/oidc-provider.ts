import type { Server } from "node:http";
import Provider, { type Configuration } from "oidc-provider";

/** A person the test's identity provider knows, by the login typed on its (development) login page. */
export type IdpPerson = { email: string; name: string; groups: string[] };

/**
 * A real OpenID Connect provider (the `oidc-provider` package) in the test's own process, on a
 * local port: one confidential client for Warden, the package's development login and consent
 * pages (any password; the login names the person), and `email`, `profile` and `groups` claims,
 * put in the ID token as company providers do.
 */
export async function startOidcProvider(options: {
  port: number;
  client: { id: string; secret: string; redirectUri: string };
  people: Record<string, IdpPerson>;
}) {
  const issuer = `http://127.0.0.1:${options.port}`;
  const configuration: Configuration = {
    clients: [
      {
        client_id: options.client.id,
        client_secret: options.client.secret,
        redirect_uris: [options.client.redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    scopes: ["openid", "email", "profile", "groups"],
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ["e2e-oidc-cookie-key-0123456789"] },
    async findAccount(_ctx, id) {
      const person = options.people[id];
      if (!person) return undefined;
      return {
        accountId: id,
        claims: async () => ({ sub: id, email: person.email, email_verified: true, name: person.name, groups: person.groups }),
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  provider.on("server_error", (_ctx, error) => console.error("[oidc-provider]", error));
  provider.on("grant.error", (_ctx, error) => console.error("[oidc-provider] grant:", error.message, (error as { error_detail?: string }).error_detail));
  const server: Server = await new Promise((resolve) => {
    const listening = provider.listen(options.port, "127.0.0.1", () => resolve(listening));
  });
  return {
    issuer,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
