import { expect, request as playwrightRequest, type APIRequestContext } from "@playwright/test";
import { ADMIN, E2E_PORT } from "./constants";

const BASE = `http://127.0.0.1:${E2E_PORT}`;

/**
 * A signed-in API context for a person, through next-auth's own credentials endpoint. It says
 * where it comes from (Origin) the way the console's pages do: Warden refuses cookie-carrying
 * writes that do not.
 */
export async function signedInContext(credentials: { email: string; password: string } = ADMIN, base = BASE): Promise<APIRequestContext> {
  const context = await playwrightRequest.newContext({ baseURL: base, extraHTTPHeaders: { origin: base } });
  const { csrfToken } = (await (await context.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const response = await context.post("/api/auth/callback/credentials", {
    form: { csrfToken, email: credentials.email, password: credentials.password, callbackUrl: base },
    maxRedirects: 0,
  });
  expect([200, 302]).toContain(response.status());
  return context;
}

/** Calls a tRPC mutation the way the console does (superjson envelope). */
export async function trpcMutation<T>(context: APIRequestContext, path: string, input: unknown): Promise<{ status: number; data: T }> {
  const response = await context.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: { json: { message: string } } };
  return { status: response.status(), data: (body.result?.data.json ?? body.error?.json) as T };
}

/** An admin's personal API token, for provisioning in tests as a script would. */
export async function adminToken(credentials: { email: string; password: string } = ADMIN, base = BASE): Promise<string> {
  const admin = await signedInContext(credentials, base);
  const { data } = await trpcMutation<{ secret: string }>(admin, "tokens.create", { name: `e2e-${Date.now()}` });
  await admin.dispose();
  return data.secret;
}

export async function createUser(role: "viewer" | "approver" | "operator" | "admin") {
  const admin = await signedInContext();
  const email = `${role}-${Math.random().toString(36).slice(2, 8)}@e2e.test`;
  const password = "e2e-password-123456";
  const { status } = await trpcMutation(admin, "users.create", { email, role, password });
  expect(status).toBe(200);
  await admin.dispose();
  return { email, password };
}

/** A tool and an agent granted it; returns the agent's key. */
export async function provisionAgent(api: APIRequestContext, token: string, tool: { name: string; risk?: string }) {
  const auth = { Authorization: `Bearer ${token}` };
  expect((await api.put(`/api/v1/tools/${tool.name}`, { headers: auth, data: { scopes: [], risk: tool.risk ?? "low" } })).status()).toBe(200);
  const created = await api.post("/api/v1/agents", {
    headers: auth,
    data: { name: `${tool.name}-agent-${Math.random().toString(36).slice(2, 6)}`, role: "specialist", team: "ops", tools: [tool.name] },
  });
  expect(created.status()).toBe(201);
  const body = (await created.json()) as { agent: { name: string }; key: { secret: string } };
  return { name: body.agent.name, key: body.key.secret };
}
