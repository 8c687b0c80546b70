import { randomUUID } from "node:crypto";
import type { UserActor } from "../../server/auth/actor";
import { db } from "../../server/db/client";
import type { Role } from "../../server/db/generated/enums";
import type { ApiRoute } from "../../server/http/api-route";
import { apiDispatcher } from "../../server/http/api-routes";
import { handleWebRequest } from "../../server/http/web-adapter";
import { registerAgent } from "../../server/agents/register-agent";
import type { CreateAgentRequest } from "../../server/schemas/agents";
import { createApiToken } from "../../server/users/api-tokens";
import { createUser } from "../../server/users/create-user";

export { db };

/** Names unique to one test, so tests share a database without seeing each other's rows. */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export const TEST_PASSWORD = "correct horse battery staple";

export async function makeUser(role: Role): Promise<UserActor & { email: string }> {
  const email = `${unique(role)}@example.test`;
  const { user } = await createUser(db, { type: "system", id: null, label: "tests" }, { email, role, password: TEST_PASSWORD });
  return { type: "user", id: user.id, label: user.email, role, email: user.email };
}

/** A person with a personal API token, as a script would hold it. */
export async function makeUserWithToken(role: Role) {
  const user = await makeUser(role);
  const { secret } = await createApiToken(db, user, "tests");
  return { user, token: secret };
}

export async function makeAgent(overrides: Partial<CreateAgentRequest> = {}) {
  const admin = await makeUser("admin");
  return registerAgent(db, admin, { name: unique("agent"), role: "specialist", team: "ops", ...overrides });
}

type CallOptions = {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  query?: Record<string, string>;
};

/** Calls a route through the API's dispatcher, with a real Request (answers checked against its schema). */
export async function call(route: ApiRoute, options: CallOptions = {}) {
  const path = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(options.params?.[name] ?? `{${name}}`));
  const url = new URL(`http://warden.test${path}`);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await handleWebRequest(apiDispatcher(), new Request(url, { method: route.method, headers, body }));
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : null };
}

export async function auditRows(where: { verb?: string; subjectId?: string; actorLabel?: string }) {
  return db.auditLog.findMany({ where, orderBy: { id: "asc" } });
}
