import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ApiRoute } from "../../server/http/api-route";
import { API_ROUTES, apiDispatcher } from "../../server/http/api-routes";
import { compileRoutes } from "../../server/http/route-table";
import { buildOpenApiDocument } from "../../server/http/openapi";
import { handleWebRequest } from "../../server/http/web-adapter";

const ROOT = path.resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

function isRoute(value: unknown): value is ApiRoute {
  return typeof value === "object" && value !== null && "path" in value && "method" in value && typeof (value as ApiRoute).handler === "function";
}

/** Every route spec any module exports, found in exported values, arrays and objects of them. */
function routesIn(value: unknown, depth = 0): ApiRoute[] {
  if (isRoute(value)) return [value];
  if (depth > 2 || typeof value !== "object" || value === null) return [];
  return Object.values(value).flatMap((inner) => routesIn(inner, depth + 1));
}

describe("one declaration per route", () => {
  it("every route spec declared anywhere in server/ is in API_ROUTES, so it is served, documented and reachable over MCP", async () => {
    const declaring = sourceFiles(path.join(ROOT, "server")).filter((file) => readFileSync(file, "utf8").includes("defineRoute("));
    expect(declaring.length).toBeGreaterThan(10);
    const declared = new Set<ApiRoute>();
    for (const file of declaring) {
      for (const route of routesIn(await import(file))) declared.add(route);
    }
    const listed = new Set(API_ROUTES);
    const missing = [...declared].filter((route) => !listed.has(route)).map((route) => `${route.method} ${route.path}`);
    expect(missing).toEqual([]);
    expect(declared.size).toBe(listed.size);
  });

  it("the dispatcher routes each listed method and path to its own spec, and nothing else", () => {
    const table = compileRoutes(API_ROUTES);
    for (const route of API_ROUTES) {
      const concrete = route.path.replace(/\{(\w+)\}/g, "x1");
      const found = table.match(route.method, concrete);
      expect([route.method, route.path, found.kind === "route" ? found.route : found.kind]).toEqual([route.method, route.path, route]);
      expect(table.serves(concrete)).toBe(true);
    }
    // The console's own paths go to Next.js.
    for (const pathname of ["/", "/inbox", "/api/trpc/x", "/api/auth/session", "/api/events", "/killswitch", "/api/v1x"]) {
      expect([pathname, table.serves(pathname)]).toEqual([pathname, false]);
    }
  });

  it("declaring one method and path twice is refused when the table is built", () => {
    const route = API_ROUTES.find((r) => r.path === "/api/v1/me")!;
    expect(() => compileRoutes([route, { ...route }])).toThrow(/declared twice/);
  });

  it("an unknown API path is a JSON 404, a known one with another method a 405 naming the allowed ones", async () => {
    const unknown = await handleWebRequest(apiDispatcher(), new Request("http://w/api/v1/nothing-here"));
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe("not_found");
    const wrong = await handleWebRequest(apiDispatcher(), new Request("http://w/api/v1/actions", { method: "DELETE" }));
    expect(wrong.status).toBe(405);
    // POST proposes, GET finds by the framework's tool-call id.
    expect(wrong.headers.get("allow")).toBe("POST, GET");
    const claim = await handleWebRequest(apiDispatcher(), new Request("http://w/api/v1/tasks/claim"));
    expect(claim.status).toBe(405);
  });

  it("OpenAPI names every operation once, documents the other answers a route gives, and keeps request defaults optional", () => {
    const doc = buildOpenApiDocument(API_ROUTES, "http://localhost:11480");
    const operations = Object.values(doc.paths).flatMap(
      (methods) => Object.values(methods) as { operationId: string; responses: Record<string, { headers?: object; content?: Record<string, unknown> }> }[],
    );
    const ids = operations.map((o) => o.operationId);
    expect(ids.every((id) => /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const op = (path: string, method: string) =>
      (doc.paths[path] as Record<string, { responses: Record<string, { headers?: object; content?: Record<string, unknown> }> }>)[method]!;
    expect(Object.keys(op("/api/v1/actions", "post").responses)).toEqual(expect.arrayContaining(["200", "201", "400", "401", "403", "413", "422", "429"]));
    expect(op("/api/v1/actions", "post").responses["429"]!.headers).toHaveProperty("Retry-After");
    expect(Object.keys(op("/api/v1/actions/{id}", "get").responses)).toContain("404");
    expect(Object.keys(op("/api/v1/tasks/claim", "post").responses)).toEqual(expect.arrayContaining(["200", "204", "429"]));
    expect(op("/api/v1/control/stream", "get").responses["200"]!.content).toHaveProperty("text/event-stream");
    const schemas = doc.components.schemas as Record<string, { required?: string[] }>;
    expect(schemas.ProposeActionRequest!.required).toEqual(["action", "confidence"]);
    expect(schemas.CreateTaskRequest!.required).not.toContain("priority");
  });

  it("OpenAPI documents exactly the listed routes", () => {
    const doc = buildOpenApiDocument(API_ROUTES, "http://localhost:11480");
    const documented = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });
});
